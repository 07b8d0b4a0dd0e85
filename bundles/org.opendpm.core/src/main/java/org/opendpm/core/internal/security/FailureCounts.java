package org.opendpm.core.internal.security;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed logins counted per key (a user name or a client address), bounded in size: the entries are kept in the order
 * of their last failure, so the ones to forget are at the head. Thread-safe; times are monotonic nanoseconds.
 */
final class FailureCounts {

    /** What one failure did: the count since the key was last reset, and the delay it started (zero for none). */
    record Outcome(int failures, Duration delay) {
    }

    private record Entry(int failures, long lastFailure, long refusedUntil) {
    }

    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    /** How long a login for this key must still wait. */
    synchronized Duration delay(String key, long now, LoginThrottleLimits limits) {
        Entry e = entries.get(key);
        if (e == null) {
            return Duration.ZERO;
        }
        if (expired(e, now, limits)) {
            entries.remove(key);
            return Duration.ZERO;
        }
        return e.refusedUntil() - now > 0 ? Duration.ofNanos(e.refusedUntil() - now) : Duration.ZERO;
    }

    /** Counts a failure; from the {@code threshold}-th on it starts a delay that doubles with each further one. */
    synchronized Outcome failed(String key, long now, int threshold, LoginThrottleLimits limits) {
        Entry e = entries.remove(key);
        int failures = e == null || expired(e, now, limits) ? 1 : e.failures() + 1;
        Duration delay = limits.delayAfter(failures, threshold);
        entries.put(key, new Entry(failures, now, now + delay.toNanos()));
        forgetOld(now, limits);
        return new Outcome(failures, delay);
    }

    synchronized void reset(String key) {
        entries.remove(key);
    }

    synchronized int size() {
        return entries.size();
    }

    /**
     * Drops expired entries and, over the cap, the ones whose last failure is oldest. An attacker spraying names or
     * addresses can push out an old record this way, but not grow memory.
     */
    private void forgetOld(long now, LoginThrottleLimits limits) {
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext();) {
            Entry oldest = it.next().getValue();
            if (entries.size() <= limits.maxEntries() && !expired(oldest, now, limits)) {
                return;
            }
            it.remove();
        }
    }

    /** A record is forgotten once no failure came for a while; that is always after its delay ran out. */
    private static boolean expired(Entry e, long now, LoginThrottleLimits limits) {
        return now - e.lastFailure() >= limits.forgetAfter().toNanos();
    }
}
