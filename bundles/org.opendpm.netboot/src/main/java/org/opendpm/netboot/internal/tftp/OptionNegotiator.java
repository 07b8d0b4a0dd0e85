package org.opendpm.netboot.internal.tftp;

import java.util.ArrayList;
import java.util.List;

import org.opendpm.netboot.internal.tftp.TftpPacket.Option;

/**
 * Option negotiation of RFC 2347 for blksize (RFC 2348), timeout and tsize (RFC 2349) and
 * windowsize (RFC 7440).
 *
 * <p>RFC 2347 says unsupported options are left out of the OACK and must not cause an ERROR,
 * and leaves it to each option's RFC whether an invalid value is dropped, answered with an
 * alternate value or refused with ERROR 8. Where the option RFCs are silent we decide:
 * <ul>
 * <li><b>unknown options</b> (e.g. {@code multicast}, {@code rollover}, {@code utimeout}) are ignored:
 *     not acknowledged, no error. Block numbers therefore always wrap from 65535 to 0;</li>
 * <li><b>blksize</b> below 8 is refused with ERROR 8: RFC 2348's range is 8-65464 and the OACK value
 *     must not exceed the request, so no legal answer exists. A value above our maximum (including
 *     values above 65464, e.g. 65465 or 65536) is answered with our maximum, which RFC 2348
 *     allows;</li>
 * <li><b>timeout</b> outside 1-255 seconds is refused with ERROR 8: RFC 2349 makes the server echo
 *     the client's value, so no alternate exists. An accepted value becomes the base of our
 *     retransmission timer;</li>
 * <li><b>tsize</b> in an RRQ is answered with the real size, whatever number the client sent
 *     (normally 0); in a WRQ it is echoed (the server refuses it with ERROR 3 if it exceeds the
 *     free space);</li>
 * <li><b>windowsize</b> 0 is refused with ERROR 8 (RFC 7440's range is 1-65535); values above our
 *     maximum (including above 65535) are answered with our maximum, which RFC 7440 allows;</li>
 * <li>a value that is not a plain decimal number of at most 18 digits (fits a long), or a supported option named
 *     twice (case-insensitively), is refused with ERROR 8: we cannot tell what the client meant.</li>
 * </ul>
 */
public final class OptionNegotiator {

    public static final int DEFAULT_BLOCK_SIZE = 512;
    public static final int MIN_BLOCK_SIZE = 8;
    public static final int MAX_BLOCK_SIZE = 65464;
    public static final int MAX_WINDOW_SIZE = 65535;

    /** Thrown when the request's options must be refused with ERROR 8. */
    public static final class OptionRefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        public OptionRefusedException(String message) {
            super(message, null, false, false);
        }
    }

    /** The outcome of negotiation; {@link #optionAck(long)} lists what the OACK carries. */
    public record Negotiated(int blockSize, int windowSize, int timeoutMillis, boolean tsizeRequested,
            long clientTsize, List<String> acknowledged) {

        public Negotiated {
            acknowledged = List.copyOf(acknowledged);
        }

        /** True if an OACK is due (at least one option was accepted). */
        public boolean hasOptionAck() {
            return !acknowledged.isEmpty();
        }

        /** The OACK options in the client's order, with {@code tsize} set to {@code size}. */
        public List<Option> optionAck(long size) {
            List<Option> out = new ArrayList<>(acknowledged.size());
            for (String name : acknowledged) {
                switch (name) {
                case "blksize" -> out.add(new Option(name, Integer.toString(blockSize)));
                case "windowsize" -> out.add(new Option(name, Integer.toString(windowSize)));
                case "timeout" -> out.add(new Option(name, Integer.toString(timeoutMillis / 1000)));
                case "tsize" -> out.add(new Option(name, Long.toString(size)));
                default -> throw new IllegalStateException(name);
                }
            }
            return out;
        }
    }

    private final int maxBlockSize;
    private final int maxWindowSize;
    private final int defaultTimeoutMillis;

    public OptionNegotiator(int maxBlockSize, int maxWindowSize, int defaultTimeoutMillis) {
        if (maxBlockSize < MIN_BLOCK_SIZE || maxBlockSize > MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("maxBlockSize must be 8-65464: " + maxBlockSize);
        }
        if (maxWindowSize < 1 || maxWindowSize > MAX_WINDOW_SIZE) {
            throw new IllegalArgumentException("maxWindowSize must be 1-65535: " + maxWindowSize);
        }
        this.maxBlockSize = maxBlockSize;
        this.maxWindowSize = maxWindowSize;
        this.defaultTimeoutMillis = defaultTimeoutMillis;
    }

    public Negotiated negotiate(List<Option> options) throws OptionRefusedException {
        int blockSize = DEFAULT_BLOCK_SIZE;
        int windowSize = 1;
        int timeoutMillis = defaultTimeoutMillis;
        boolean tsize = false;
        long clientTsize = -1;
        List<String> acknowledged = new ArrayList<>(4);
        for (Option o : options) {
            String name = o.name();
            if (!isSupported(name)) {
                continue;
            }
            if (acknowledged.contains(name)) {
                throw new OptionRefusedException("duplicate option '" + name + "'");
            }
            long value = parse(name, o.value());
            switch (name) {
            case "blksize" -> {
                if (value < MIN_BLOCK_SIZE) {
                    throw new OptionRefusedException("blksize " + value + " below 8");
                }
                blockSize = (int) Math.min(value, maxBlockSize);
            }
            case "timeout" -> {
                if (value < 1 || value > 255) {
                    throw new OptionRefusedException("timeout " + value + " outside 1-255");
                }
                timeoutMillis = (int) value * 1000;
            }
            case "tsize" -> {
                tsize = true;
                clientTsize = value;
            }
            case "windowsize" -> {
                if (value < 1) {
                    throw new OptionRefusedException("windowsize " + value + " below 1");
                }
                windowSize = (int) Math.min(value, maxWindowSize);
            }
            default -> throw new IllegalStateException(name);
            }
            acknowledged.add(name);
        }
        return new Negotiated(blockSize, windowSize, timeoutMillis, tsize, clientTsize, acknowledged);
    }

    private static boolean isSupported(String name) {
        return name.equals("blksize") || name.equals("timeout") || name.equals("tsize") || name.equals("windowsize");
    }

    private static long parse(String name, String value) throws OptionRefusedException {
        if (value.isEmpty() || value.length() > 18) {
            throw new OptionRefusedException("bad value '" + value + "' for " + name);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new OptionRefusedException("bad value '" + value + "' for " + name);
            }
        }
        return Long.parseLong(value);
    }
}
