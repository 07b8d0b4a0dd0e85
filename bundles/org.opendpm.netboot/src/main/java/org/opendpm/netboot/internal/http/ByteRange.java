package org.opendpm.netboot.internal.http;

import java.util.Optional;

/**
 * One byte range of a {@code Range} header (RFC 9110, 14.1.2), resolved against the content length.
 *
 * @param first first byte, inclusive
 * @param last last byte, inclusive
 */
public record ByteRange(long first, long last) {

    /** A range header no single range of which can be served. */
    public static final class Unsatisfiable extends Exception {
        private static final long serialVersionUID = 1L;

        Unsatisfiable(String message) {
            super(message, null, false, false);
        }
    }

    public long length() {
        return last - first + 1;
    }

    /**
     * The range to serve, or empty to serve the whole content: no header, another unit, several ranges (allowed to
     * be ignored by RFC 9110, and boot clients never ask for them) or a header that cannot be parsed (which the RFC
     * says to ignore).
     *
     * @throws Unsatisfiable when the one range starts at or after the end
     */
    public static Optional<ByteRange> parse(String header, long length) throws Unsatisfiable {
        if (header == null) {
            return Optional.empty();
        }
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return Optional.empty();
        }
        String spec = h.substring(6).trim();
        if (spec.contains(",")) {
            return Optional.empty();
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return Optional.empty();
        }
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        try {
            if (a.isEmpty()) {
                // Suffix range: the last n bytes.
                if (b.isEmpty()) {
                    return Optional.empty();
                }
                long n = Long.parseLong(b);
                if (n <= 0 || length == 0) {
                    throw new Unsatisfiable("suffix of " + n + " bytes of " + length);
                }
                return Optional.of(new ByteRange(Math.max(0, length - n), length - 1));
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? length - 1 : Long.parseLong(b);
            if (first >= length) {
                throw new Unsatisfiable("starts at " + first + " of " + length);
            }
            if (last < first) {
                return Optional.empty();
            }
            return Optional.of(new ByteRange(first, Math.min(last, length - 1)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
