package org.opendpm.api.inventory;

/**
 * A machine group's network setting (INV-2 [2.2.2]): on the management server's subnet, or on a different subnet
 * with a default gateway and subnet mask.
 *
 * @param sameSubnet "Subnetwork is same with DPM Server"
 * @param defaultGateway dotted IPv4 address; {@code null} exactly when {@code sameSubnet}
 * @param subnetMask dotted mask such as {@code 255.255.0.0}; {@code null} exactly when {@code sameSubnet}
 */
public record NetworkSetting(boolean sameSubnet, String defaultGateway, String subnetMask) {

    /** The default of every new group. */
    public static final NetworkSetting SAME_SUBNET = new NetworkSetting(true, null, null);

    public NetworkSetting {
        if (sameSubnet && (defaultGateway != null || subnetMask != null)) {
            throw new IllegalArgumentException("a group on the server's subnet has no default gateway or subnet mask");
        }
    }

    /** A different subnet; the service checks that the values are an address and a mask that fit together. */
    public static NetworkSetting differentSubnet(String defaultGateway, String subnetMask) {
        return new NetworkSetting(false, defaultGateway, subnetMask);
    }
}
