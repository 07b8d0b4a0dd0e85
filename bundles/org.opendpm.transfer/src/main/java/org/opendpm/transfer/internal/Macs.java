package org.opendpm.transfer.internal;

import java.util.Locale;

/**
 * The canonical form of a MAC address ({@code 00:50:56:aa:bb:cc}), the key of credentials and sessions. Accepts the
 * spellings the inventory accepts ({@code 00-50-56-AA-BB-CC}, {@code 00:50:56:aa:bb:cc}, {@code 0050.56aa.bbcc},
 * 12 bare hex digits) so a credential issued for one spelling is found under another; unicast only, as no NIC has a
 * group address.
 */
final class Macs {

    private Macs() {
    }

    /** @throws IllegalArgumentException saying what is wrong with the text */
    static String canonical(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a MAC address is required");
        }
        String s = text.strip();
        String digits;
        if (s.length() == 17 && (s.charAt(2) == ':' || s.charAt(2) == '-')) {
            char sep = s.charAt(2);
            StringBuilder b = new StringBuilder(12);
            for (int i = 0; i < 17; i++) {
                if (i % 3 == 2) {
                    if (s.charAt(i) != sep) {
                        throw bad(s);
                    }
                } else {
                    b.append(s.charAt(i));
                }
            }
            digits = b.toString();
        } else if (s.length() == 14 && s.charAt(4) == '.' && s.charAt(9) == '.') {
            digits = s.substring(0, 4) + s.substring(5, 9) + s.substring(10);
        } else if (s.length() == 12) {
            digits = s;
        } else {
            throw bad(s);
        }
        digits = digits.toLowerCase(Locale.ROOT);
        for (int i = 0; i < 12; i++) {
            if (Character.digit(digits.charAt(i), 16) < 0) {
                throw bad(s);
            }
        }
        if (digits.equals("000000000000")) {
            throw new IllegalArgumentException("'" + s + "' is the all-zero MAC address, which no NIC has");
        }
        if ((Character.digit(digits.charAt(1), 16) & 1) != 0) {
            throw new IllegalArgumentException(
                    "'" + s + "' is a multicast or broadcast MAC address; a NIC's is unicast");
        }
        StringBuilder c = new StringBuilder(17);
        for (int i = 0; i < 12; i += 2) {
            if (i > 0) {
                c.append(':');
            }
            c.append(digits, i, i + 2);
        }
        return c.toString();
    }

    private static IllegalArgumentException bad(String s) {
        return new IllegalArgumentException("'" + s + "' is not a MAC address; write e.g. 00:50:56:aa:bb:cc");
    }
}
