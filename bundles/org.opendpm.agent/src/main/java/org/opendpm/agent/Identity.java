package org.opendpm.agent;

import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Who this agent says it is in {@code register} and {@code hello}. The IP is not part of it: it is the local address
 * of each connection, the one the server actually sees.
 *
 * @param mac the primary MAC, the key the server binds the credential to
 * @param uuid the SMBIOS UUID, or null when it cannot be read
 */
record Identity(String mac, List<String> macs, String uuid, String hostName, String os, boolean deployOs) {

    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    private static final Pattern UUID_TEXT = Pattern
            .compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    Identity {
        macs = List.copyOf(macs);
    }

    /** Accepts {@code 00:50:56:AA:BB:CC}, {@code 00-50-56-aa-bb-cc} and {@code 005056aabbcc}. */
    static String normalizeMac(String given) {
        String hex = given.trim().toLowerCase(Locale.ROOT).replace(":", "").replace("-", "");
        if (!hex.matches("[0-9a-f]{12}")) {
            throw new IllegalArgumentException("'" + given + "' is not a MAC address (six hex octets)");
        }
        return formatMac(Long.parseLong(hex, 16));
    }

    static String formatMac(long value) {
        StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(String.format("%02x", (value >>> shift) & 0xff));
        }
        return sb.toString();
    }

    static String formatMac(byte[] hardware) {
        long v = 0;
        for (byte b : hardware) {
            v = (v << 8) | (b & 0xff);
        }
        return formatMac(v);
    }

    static long macValue(String mac) {
        if (!MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException("'" + mac + "' is not a normalised MAC address");
        }
        return Long.parseLong(mac.replace(":", ""), 16);
    }

    /**
     * A UUID as the inventory keeps it (lower case), or null for the placeholders firmware reports when it has none
     * (all zeros, all ones).
     */
    static String normalizeUuid(String given) {
        if (given == null) {
            return null;
        }
        String u = given.trim().toLowerCase(Locale.ROOT);
        if (!UUID_TEXT.matcher(u).matches()) {
            throw new IllegalArgumentException("'" + given + "' is not a UUID");
        }
        if (u.equals("00000000-0000-0000-0000-000000000000") || u.equals("ffffffff-ffff-ffff-ffff-ffffffffffff")) {
            return null;
        }
        return UUID.fromString(u).toString();
    }
}
