package org.opendpm.transfer.internal.multicast;

/**
 * Paces datagrams with a token bucket of bytes (docs/multicast.md, "Pacing"): it fills at the current rate up to a
 * burst of {@link #BURST} bytes, and a datagram may leave when the bucket holds its size, so the receivers' socket
 * buffers see at most a 64 KiB burst. Pure logic on a caller's nanosecond clock; not thread-safe (one sending thread).
 */
final class Pacer {

    static final long BURST = 64 * 1024;

    private long rate;
    private double tokens;
    private long last;

    /** Starts full. */
    Pacer(long bytesPerSecond, long nowNanos) {
        setRate(bytesPerSecond);
        this.tokens = BURST;
        this.last = nowNanos;
    }

    void setRate(long bytesPerSecond) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("rate " + bytesPerSecond + " B/s is not positive");
        }
        this.rate = bytesPerSecond;
    }

    long rate() {
        return rate;
    }

    /**
     * Takes {@code bytes} and answers 0 when a datagram of that size may leave now; else takes nothing and answers
     * how many nanoseconds to wait before asking again.
     */
    long take(int bytes, long nowNanos) {
        if (nowNanos > last) {
            tokens = Math.min(BURST, tokens + (nowNanos - last) * (double) rate / 1e9);
            last = nowNanos;
        }
        if (tokens >= bytes) {
            tokens -= bytes;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((bytes - tokens) * 1e9 / rate));
    }
}
