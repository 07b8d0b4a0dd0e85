package org.opendpm.agent;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with jitter: after n failures the delay is drawn from [d/2, d] with d = initial * 2^n capped
 * at max. The jitter keeps thousands of agents that lost the server together from reconnecting in the same second.
 */
final class Backoff {

    private final long initialMillis;
    private final long maxMillis;
    private int failures;

    Backoff(Duration initial, Duration max) {
        this.initialMillis = Math.max(1, initial.toMillis());
        this.maxMillis = Math.max(initialMillis, max.toMillis());
    }

    void reset() {
        failures = 0;
    }

    Duration next() {
        long d = initialMillis;
        for (int i = 0; i < failures && d < maxMillis; i++) {
            d *= 2;
        }
        d = Math.min(d, maxMillis);
        failures++;
        long jittered = d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1);
        return Duration.ofMillis(jittered);
    }
}
