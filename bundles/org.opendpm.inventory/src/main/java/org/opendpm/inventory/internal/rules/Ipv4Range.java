package org.opendpm.inventory.internal.rules;

import java.util.Objects;

/** An inclusive range of IPv4 addresses, {@code first <= last}. */
public record Ipv4Range(Ipv4 first, Ipv4 last) {

    public Ipv4Range {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(last, "last");
        if (first.compareTo(last) > 0) {
            throw new IllegalArgumentException("range start " + first + " is after its end " + last);
        }
    }

    public static Ipv4Range single(Ipv4 address) {
        return new Ipv4Range(address, address);
    }

    /**
     * The host addresses of a network: the network and broadcast addresses are left out, as in
     * the guide's {@code 192.168.0.0;255.255.0.0} = 192.168.0.1 to 192.168.255.254. A /31 has no
     * network or broadcast address (RFC 3021) and a /32 is one host, so both are kept whole.
     *
     * @throws IllegalArgumentException when {@code network} has host bits set under {@code mask}
     */
    public static Ipv4Range hostsOf(Ipv4 network, SubnetMask mask) {
        Ipv4 base = network.network(mask);
        if (!base.equals(network)) {
            throw new IllegalArgumentException(network + " is not the network address for mask " + mask
                    + " (its network address is " + base + ")");
        }
        Ipv4 top = network.broadcast(mask);
        if (mask.prefixLength() >= 31) {
            return new Ipv4Range(base, top);
        }
        return new Ipv4Range(new Ipv4(base.bits() + 1), new Ipv4(top.bits() - 1));
    }

    public boolean contains(Ipv4 address) {
        return first.compareTo(address) <= 0 && address.compareTo(last) <= 0;
    }

    /** Whether every address of {@code other} is in this range. */
    public boolean covers(Ipv4Range other) {
        return contains(other.first) && contains(other.last);
    }

    public long size() {
        return last.unsigned() - first.unsigned() + 1;
    }

    @Override
    public String toString() {
        return first.equals(last) ? first.toString() : first + "-" + last;
    }
}
