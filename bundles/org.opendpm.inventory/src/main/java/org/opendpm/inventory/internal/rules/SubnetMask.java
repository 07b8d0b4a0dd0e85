package org.opendpm.inventory.internal.rules;

/**
 * A contiguous IPv4 subnet mask, kept as its prefix length (0..32). Masks with holes such as
 * {@code 255.0.255.0} are refused: no router or DHCP server accepts them, so such a value in a
 * rule file is a typing error.
 */
public record SubnetMask(int prefixLength) {

    public SubnetMask {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("a prefix length is 0..32, not " + prefixLength);
        }
    }

    /** Parses a dotted mask ({@code 255.240.0.0}); the message says why it is not a mask. */
    public static SubnetMask parse(String text) {
        Ipv4 address;
        try {
            address = Ipv4.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("is not an IPv4 address", "is not a subnet mask"),
                    e);
        }
        int bits = address.bits();
        int prefix = Integer.numberOfLeadingZeros(~bits);
        // Contiguous means: the ones, then only zeros. 0.0.0.0 has prefix 0 and is contiguous.
        if (prefix < 32 && (bits << prefix) != 0) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a contiguous subnet mask (the 1 bits must come first,"
                            + " as in 255.255.255.0)");
        }
        return new SubnetMask(prefix);
    }

    public int bits() {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    @Override
    public String toString() {
        return new Ipv4(bits()).toString();
    }
}
