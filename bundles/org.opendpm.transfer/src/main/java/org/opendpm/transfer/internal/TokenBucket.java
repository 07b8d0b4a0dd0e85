package org.opendpm.transfer.internal;

/**
 * A token bucket holding at most one second's worth of tokens: {@code perSecond} events may come in a burst, then
 * {@code perSecond} a second. Not thread-safe: each bucket is used by one thread
 * (or under its owner's lock).
 */
public final class TokenBucket {

    private double tokens;
    private long last;

    public TokenBucket(int perSecond, long now) {
        this.tokens = perSecond;
        this.last = now;
    }

    /** Takes a token if there is one; {@code perSecond <= 0} means no limit. */
    public boolean tryTake(int perSecond, long nowNanos) {
        if (perSecond <= 0) {
            return true;
        }
        tokens = Math.min(perSecond, tokens + (nowNanos - last) * perSecond / 1e9);
        last = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Whether the bucket has been full long enough to be forgotten. */
    public boolean idleSince(long nowNanos, long idleNanos) {
        return nowNanos - last > idleNanos;
    }
}
