package org.opendpm.inventory.internal.rules;

import java.util.Locale;

/**
 * The MAC address of a managed machine's NIC (INV-3), canonically lower-case and
 * colon-separated ({@code 00:50:56:aa:bb:cc}).
 *
 * <p>Accepted spellings, any letter case, surrounding blanks ignored:
 * {@code 00-50-56-AA-BB-CC} (Windows, and the form the guide uses), {@code 00:50:56:aa:bb:cc},
 * {@code 0050.56aa.bbcc} (Cisco) and 12 bare hex digits. Separators must be used consistently.
 *
 * <p>Decision: only unicast addresses are accepted. The all-zero address and every address with
 * the group bit set (multicast, which includes broadcast {@code ff:ff:ff:ff:ff:ff}) are refused,
 * because no NIC has one: such a value is a placeholder or a typing error, and a Wake-on-LAN
 * packet or boot entry keyed on it would reach no machine or every machine.
 */
public record MacAddress(String canonical) implements Comparable<MacAddress> {

    private static final String FORMS = "write 12 hex digits, e.g. 00-50-56-AA-BB-CC, 00:50:56:aa:bb:cc,"
            + " 0050.56aa.bbcc or 005056aabbcc";

    public MacAddress {
        // Only parse() builds the canonical text; re-checking keeps hand-made instances honest.
        if (canonical == null || !canonical.matches("([0-9a-f]{2}:){5}[0-9a-f]{2}")) {
            throw new IllegalArgumentException("not a canonical MAC address: " + canonical + "; use MacAddress.parse");
        }
    }

    /** Parses any accepted spelling; the message says what is wrong and where (1-based position). */
    public static MacAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a MAC address is required; " + FORMS);
        }
        String s = text.strip();
        // The first separator shows which spelling was meant, so a length error can say what was expected.
        char separator = 0;
        for (int i = 0; i < s.length() && separator == 0; i++) {
            char c = s.charAt(i);
            if (c == '-' || c == ':' || c == '.') {
                separator = c;
            }
        }
        int expected = separator == 0 ? 12 : separator == '.' ? 14 : 17;
        if (s.length() != expected) {
            String form = separator == 0
                    ? "12 bare hex digits"
                    : separator == '.'
                            ? "the dotted form xxxx.xxxx.xxxx"
                            : "the separated form XX" + separator + "XX" + separator + "XX" + separator + "XX"
                                    + separator + "XX"
                                    + separator + "XX";
            throw new IllegalArgumentException("'" + s + "' is not a MAC address: it has " + s.length()
                    + " characters, but " + form + " has " + expected + "; " + FORMS);
        }
        StringBuilder hex = new StringBuilder(12);
        for (int i = 0; i < s.length(); i++) {
            boolean separatorSlot = switch (expected) {
            case 17 -> i % 3 == 2;
            case 14 -> i == 4 || i == 9;
            default -> false;
            };
            if (separatorSlot) {
                if (s.charAt(i) != separator) {
                    throw badChar(s, i, "expected '" + separator + "'"
                            + (expected == 17 ? " (separators must not be mixed)" : " (dotted form xxxx.xxxx.xxxx)"));
                }
            } else {
                hex.append(hexDigit(s, i));
            }
        }
        String digits = hex.toString();
        if (digits.chars().allMatch(c -> c == '0')) {
            throw new IllegalArgumentException("'" + s + "' is the all-zero MAC address, which no NIC has");
        }
        if ((Character.digit(digits.charAt(1), 16) & 1) != 0) {
            throw new IllegalArgumentException(
                    "'" + s + "' is a " + (digits.equals("ffffffffffff") ? "broadcast" : "multicast")
                            + " MAC address (group bit of the first byte set); a NIC address is unicast");
        }
        StringBuilder canonical = new StringBuilder(17);
        for (int i = 0; i < 12; i += 2) {
            if (i > 0) {
                canonical.append(':');
            }
            canonical.append(digits, i, i + 2);
        }
        return new MacAddress(canonical.toString());
    }

    private static char hexDigit(String s, int index) {
        char c = s.charAt(index);
        if (Character.digit(c, 16) < 0 || c > 'f') {
            throw badChar(s, index, "expected a hex digit 0-9 or a-f");
        }
        return Character.toLowerCase(c);
    }

    private static IllegalArgumentException badChar(String s, int index, String expected) {
        return new IllegalArgumentException("'" + s + "' is not a MAC address: bad character '" + s.charAt(index)
                + "' at position " + (index + 1) + ", " + expected);
    }

    /** The six bytes, e.g. for a Wake-on-LAN packet. */
    public byte[] bytes() {
        byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) Integer.parseInt(canonical.substring(i * 3, i * 3 + 2), 16);
        }
        return bytes;
    }

    /** The form the guide and {@code forceskip.ini} use: upper case, hyphen-separated ({@code 00-50-56-AA-BB-CC}). */
    public String toHyphenUpper() {
        return canonical.replace(':', '-').toUpperCase(Locale.ROOT);
    }

    @Override
    public int compareTo(MacAddress other) {
        return canonical.compareTo(other.canonical);
    }

    @Override
    public String toString() {
        return canonical;
    }
}
