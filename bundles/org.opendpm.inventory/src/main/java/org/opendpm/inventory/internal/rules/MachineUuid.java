package org.opendpm.inventory.internal.rules;

import java.util.Locale;

/**
 * The SMBIOS UUID of a managed machine (INV-3), canonically lower-case 8-4-4-4-12.
 *
 * <p>Accepted: {@code 8-4-4-4-12} hex, the same in braces ({@code {...}}, as Windows prints
 * it) and 32 bare hex digits, any letter case, surrounding blanks ignored.
 *
 * <p>Unlike {@link MacAddress}, placeholders are syntactically valid here: firmware does report
 * the nil UUID or all-F, and the network-boot registration must still see such a machine.
 * {@link #isPlaceholder()} lets each caller decide; the CSV import accepts them (so an export
 * of such machines imports back) but does not count two equal placeholders as a duplicate,
 * because a placeholder tells no two machines apart.
 */
public record MachineUuid(String canonical) {

    public MachineUuid {
        if (canonical == null
                || !canonical.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
            throw new IllegalArgumentException("not a canonical UUID: " + canonical + "; use MachineUuid.parse");
        }
    }

    public static MachineUuid parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a UUID is required (8-4-4-4-12 hex digits)");
        }
        String s = text.strip();
        String body = s;
        int offset = 0;
        if (s.startsWith("{") || s.endsWith("}")) {
            if (!(s.startsWith("{") && s.endsWith("}"))) {
                throw new IllegalArgumentException("'" + s + "' is not a UUID: unbalanced braces");
            }
            body = s.substring(1, s.length() - 1);
            offset = 1;
        }
        StringBuilder hex = new StringBuilder(32);
        if (body.length() == 36) {
            for (int i = 0; i < 36; i++) {
                boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
                char c = body.charAt(i);
                if (dash) {
                    if (c != '-') {
                        throw bad(s, i + offset, c, "expected '-' (form 8-4-4-4-12)");
                    }
                } else {
                    hex.append(hex(s, i + offset, c));
                }
            }
        } else if (body.length() == 32 && offset == 0) {
            for (int i = 0; i < 32; i++) {
                hex.append(hex(s, i, body.charAt(i)));
            }
        } else {
            throw new IllegalArgumentException("'" + s + "' is not a UUID: it has " + body.length()
                    + " characters, expected 36 (8-4-4-4-12), optionally in braces, or 32 bare hex digits");
        }
        String h = hex.toString();
        return new MachineUuid(h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-"
                + h.substring(16, 20) + "-" + h.substring(20));
    }

    private static char hex(String s, int index, char c) {
        if (Character.digit(c, 16) < 0 || c > 'f') {
            throw bad(s, index, c, "expected a hex digit 0-9 or a-f");
        }
        return Character.toLowerCase(c);
    }

    private static IllegalArgumentException bad(String s, int index, char c, String expected) {
        return new IllegalArgumentException("'" + s + "' is not a UUID: bad character '" + c + "' at position "
                + (index + 1) + ", " + expected);
    }

    /** The nil UUID or all-F: firmware that has no UUID to report. */
    public boolean isPlaceholder() {
        String digits = canonical.replace("-", "");
        return digits.chars().allMatch(c -> c == '0') || digits.chars().allMatch(c -> c == 'f');
    }

    /** Upper case with dashes, as Windows tools show it. */
    public String toUpperCase() {
        return canonical.toUpperCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return canonical;
    }
}
