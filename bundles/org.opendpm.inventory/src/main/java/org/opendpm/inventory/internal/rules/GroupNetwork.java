package org.opendpm.inventory.internal.rules;

import java.util.Objects;

/**
 * The network setting of a machine group (INV-2 [2.2.2]): on the management server's subnet,
 * or on a different subnet reached through a default gateway.
 */
public sealed interface GroupNetwork permits GroupNetwork.SameSubnet, GroupNetwork.DifferentSubnet {

    /** "Subnetwork is same with DPM Server"; the default for every new group. */
    GroupNetwork SAME_SUBNET = new SameSubnet();

    static GroupNetwork differentSubnet(Ipv4 defaultGateway, SubnetMask subnetMask) {
        return new DifferentSubnet(defaultGateway, subnetMask);
    }

    /** "Subnetwork is same with DPM Server". */
    record SameSubnet() implements GroupNetwork {
        @Override
        public String toString() {
            return "same subnet";
        }
    }

    /**
     * "Subnetwork is not same with DPM Server", with the group's gateway and mask. The gateway
     * must be a host of the subnet the mask gives it, or machines could not reach it.
     */
    record DifferentSubnet(Ipv4 defaultGateway, SubnetMask subnetMask) implements GroupNetwork {
        public DifferentSubnet {
            Objects.requireNonNull(defaultGateway, "defaultGateway");
            Objects.requireNonNull(subnetMask, "subnetMask");
            defaultGateway.hostProblem().ifPresent(p -> {
                throw new IllegalArgumentException("default gateway " + p);
            });
            if (subnetMask.prefixLength() == 0) {
                throw new IllegalArgumentException("subnet mask 0.0.0.0 leaves no network for the default gateway");
            }
            if (subnetMask.prefixLength() < 31) {
                if (defaultGateway.equals(defaultGateway.network(subnetMask))) {
                    throw new IllegalArgumentException("default gateway " + defaultGateway
                            + " is the network address of its subnet under mask " + subnetMask);
                }
                if (defaultGateway.equals(defaultGateway.broadcast(subnetMask))) {
                    throw new IllegalArgumentException("default gateway " + defaultGateway
                            + " is the broadcast address of its subnet under mask " + subnetMask);
                }
            }
        }

        @Override
        public String toString() {
            return "different subnet (gateway " + defaultGateway + ", mask " + subnetMask + ")";
        }
    }
}
