package org.opendpm.netboot.internal.url;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;

import org.opendpm.api.ValidationException;

/**
 * Derives the HTTP base URL a machine reaches this server by, in the order {@link org.opendpm.api.boot.ServerUrls}
 * documents: the advertised address, the address of the machine's latest boot, the server address on the machine's
 * subnet, the server's only address. Pure: the caller gathers what is known.
 */
public final class HttpBases {

    /** One address of this server with its prefix length. */
    public record LocalAddress(InetAddress address, int prefixLength) {
    }

    /** What is known about one machine and this server. */
    public record Known(String machineName, String advertisedAddress, int httpPort, Optional<BootAddress> latestBoot,
            Optional<String> machineIp, List<LocalAddress> localAddresses) {
    }

    private HttpBases() {
    }

    public static String httpBase(Known k) {
        if (!k.advertisedAddress().isBlank()) {
            return new BootAddress(k.advertisedAddress().strip(), OptionalInt.empty()).httpBase(k.httpPort());
        }
        if (k.latestBoot().isPresent()) {
            return k.latestBoot().get().httpBase(k.httpPort());
        }
        List<InetAddress> candidates = k.localAddresses().stream().map(LocalAddress::address)
                .filter(HttpBases::usable).distinct().collect(Collectors.toList());
        Optional<InetAddress> ip = k.machineIp().flatMap(HttpBases::ipv4);
        if (ip.isPresent()) {
            List<InetAddress> facing = new ArrayList<>();
            for (LocalAddress l : k.localAddresses()) {
                if (usable(l.address()) && sameSubnet(l.address(), ip.get(), l.prefixLength())
                        && !facing.contains(l.address())) {
                    facing.add(l.address());
                }
            }
            if (facing.size() == 1) {
                return "http://" + BootAddress.literal(facing.get(0)) + port(k.httpPort());
            }
        }
        if (candidates.size() == 1) {
            return "http://" + BootAddress.literal(candidates.get(0)) + port(k.httpPort());
        }
        throw new ValidationException("advertisedAddress", "No address by which " + k.machineName()
                + " reaches this server is known: it has not network-booted to this server since it started"
                + ip.map(a -> ", no server address is on the subnet of its IP address " + a.getHostAddress())
                        .orElse(", it has no IP address in the inventory")
                + ", and the server has " + (candidates.isEmpty()
                        ? "no usable address"
                        : candidates.size() + " addresses (" + candidates.stream().map(InetAddress::getHostAddress)
                                .collect(Collectors.joining(", ")) + ")")
                + ". Set advertisedAddress in etc/org.opendpm.netboot.http.cfg");
    }

    /** The IPv4 addresses of this server's interfaces that are up, with their prefix lengths. */
    public static List<LocalAddress> localAddresses() {
        List<LocalAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InterfaceAddress a : nic.getInterfaceAddresses()) {
                    out.add(new LocalAddress(a.getAddress(), a.getNetworkPrefixLength()));
                }
            }
        } catch (SocketException e) {
            return List.of();
        }
        return out;
    }

    /** IPv4 only: the inventory keeps IPv4 addresses, and an IPv6 link-local would need its zone. */
    private static boolean usable(InetAddress a) {
        return a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isAnyLocalAddress()
                && !a.isLinkLocalAddress();
    }

    private static boolean sameSubnet(InetAddress local, InetAddress machine, int prefix) {
        if (prefix < 1 || prefix > 32) {
            return false;
        }
        int mask = prefix == 32 ? -1 : ~(-1 >>> prefix);
        return (toInt(local) & mask) == (toInt(machine) & mask);
    }

    private static int toInt(InetAddress a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff;
    }

    /** An IPv4 literal only, parsed here: {@code InetAddress.getByName} would look up anything else by name. */
    private static Optional<InetAddress> ipv4(String s) {
        if (!s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            return Optional.empty();
        }
        String[] parts = s.split("\\.");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            int v = Integer.parseInt(parts[i]);
            if (v > 255) {
                return Optional.empty();
            }
            b[i] = (byte) v;
        }
        try {
            return Optional.of(InetAddress.getByAddress(b));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static String port(int httpPort) {
        return httpPort == 80 ? "" : ":" + httpPort;
    }
}
