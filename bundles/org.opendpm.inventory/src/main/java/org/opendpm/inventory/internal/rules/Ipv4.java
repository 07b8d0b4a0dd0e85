package org.opendpm.inventory.internal.rules;

import java.util.Optional;

/**
 * An IPv4 address, held as its 32 bits (compare with {@link Integer#compareUnsigned}).
 *
 * <p>Parsing is strict dotted-decimal: four decimal octets 0..255 and no leading zeros,
 * because {@code 010} is octal to some tools and decimal to others, and a rule file that
 * means different things to different readers is worse than a refused line.
 */
public record Ipv4(int bits) implements Comparable<Ipv4> {

    public static Ipv4 of(int a, int b, int c, int d) {
        for (int octet : new int[]{ a, b, c, d }) {
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("octet " + octet + " is outside 0..255");
            }
        }
        return new Ipv4(a << 24 | b << 16 | c << 8 | d);
    }

    /** Parses {@code a.b.c.d}; the message of the exception names the offending octet. */
    public static Ipv4 parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("an IPv4 address is required (a.b.c.d)");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not an IPv4 address: expected 4 dot-separated octets, found "
                            + parts.length);
        }
        int bits = 0;
        for (int i = 0; i < 4; i++) {
            bits = bits << 8 | octet(text, parts[i], i + 1);
        }
        return new Ipv4(bits);
    }

    private static int octet(String text, String part, int index) {
        String where = "'" + text + "' is not an IPv4 address: octet " + index;
        if (part.isEmpty()) {
            throw new IllegalArgumentException(where + " is empty");
        }
        if (part.length() > 3) {
            throw new IllegalArgumentException(where + " '" + part + "' is longer than 3 digits");
        }
        for (int i = 0; i < part.length(); i++) {
            if (part.charAt(i) < '0' || part.charAt(i) > '9') {
                throw new IllegalArgumentException(where + " '" + part + "' is not a decimal number");
            }
        }
        if (part.length() > 1 && part.charAt(0) == '0') {
            throw new IllegalArgumentException(where + " '" + part + "' has a leading zero");
        }
        int value = Integer.parseInt(part);
        if (value > 255) {
            throw new IllegalArgumentException(where + " is " + value + ", more than 255");
        }
        return value;
    }

    /** The address as an unsigned number, for arithmetic and sizes. */
    public long unsigned() {
        return Integer.toUnsignedLong(bits);
    }

    /**
     * Why this address cannot be a machine's address or a default gateway, if it cannot:
     * unspecified {@code 0.0.0.0}, limited broadcast, loopback, multicast or the reserved
     * 240/4 block. Everything else (private, link-local, public) is a usable host.
     */
    public Optional<String> hostProblem() {
        int first = bits >>> 24;
        if (bits == 0) {
            return Optional.of(this + " is the unspecified address");
        }
        if (bits == -1) {
            return Optional.of(this + " is the broadcast address");
        }
        if (first == 127) {
            return Optional.of(this + " is a loopback address");
        }
        if (first >= 224 && first <= 239) {
            return Optional.of(this + " is a multicast address");
        }
        if (first >= 240) {
            return Optional.of(this + " is in the reserved block 240.0.0.0/4");
        }
        return Optional.empty();
    }

    /** The first address of this address's network under {@code mask}. */
    public Ipv4 network(SubnetMask mask) {
        return new Ipv4(bits & mask.bits());
    }

    /** The last address of this address's network under {@code mask}. */
    public Ipv4 broadcast(SubnetMask mask) {
        return new Ipv4(bits | ~mask.bits());
    }

    @Override
    public int compareTo(Ipv4 other) {
        return Integer.compareUnsigned(bits, other.bits);
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + (bits >>> 16 & 0xff) + "." + (bits >>> 8 & 0xff) + "." + (bits & 0xff);
    }
}
