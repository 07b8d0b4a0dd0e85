package org.opendpm.api.os;

import java.util.Objects;
import java.util.Optional;

/**
 * What one machine's answer file is made of beside the machine's inventory data (name, MAC, IP address).
 *
 * @param machineId the managed machine
 * @param disk the target disk's device name ({@code sda}, {@code vda}, {@code nvme0n1})
 * @param rootPasswordHash SHA-512 crypt of the root password
 * @param network DHCP, or a static address (the machine's IP address) with its mask, gateway and name server
 * @param builtUrl the URL the installer calls when done; empty for answer files written offline
 */
public record MachineInstall(long machineId, String disk, String rootPasswordHash, Network network,
        Optional<String> builtUrl) {

    public MachineInstall {
        Objects.requireNonNull(disk, "disk");
        Objects.requireNonNull(rootPasswordHash, "rootPasswordHash");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(builtUrl, "builtUrl");
    }

    /**
     * The installed system's network. With {@code dhcp} the other fields are empty; a static setting uses the
     * machine's IP address with these.
     */
    public record Network(boolean dhcp, Optional<String> netmask, Optional<String> gateway,
            Optional<String> nameserver) {

        public static final Network DHCP = new Network(true, Optional.empty(), Optional.empty(), Optional.empty());

        public Network {
            Objects.requireNonNull(netmask, "netmask");
            Objects.requireNonNull(gateway, "gateway");
            Objects.requireNonNull(nameserver, "nameserver");
        }
    }
}
