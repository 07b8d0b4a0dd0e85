package org.opendpm.core.internal.security;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The thresholds and delays of {@link InMemoryLoginThrottle}, checked. */
record LoginThrottleLimits(int userFailures, int addressFailures, Duration initialDelay, Duration maxDelay,
        Duration forgetAfter, int maxEntries) {

    private static final Logger LOG = LoggerFactory.getLogger(LoginThrottleLimits.class);

    /**
     * The configured values; one out of range is replaced by the nearest allowed value with a warning rather than
     * refused, since a throttle that does not start would stop every login.
     */
    static LoginThrottleLimits of(InMemoryLoginThrottle.Config c) {
        int initial = atLeast("initialDelaySeconds", c.initialDelaySeconds(), 1);
        int max = atLeast("maxDelaySeconds", c.maxDelaySeconds(), initial);
        return new LoginThrottleLimits(atLeast("userFailures", c.userFailures(), 1),
                atLeast("addressFailures", c.addressFailures(), 1), Duration.ofSeconds(initial),
                Duration.ofSeconds(max), Duration.ofSeconds(atLeast("forgetAfterSeconds", c.forgetAfterSeconds(), max)),
                atLeast("maxEntries", c.maxEntries(), 100));
    }

    private static int atLeast(String name, int value, int min) {
        if (value < min) {
            LOG.warn("{} = {} in {}.cfg is below {}; using {}", name, value, InMemoryLoginThrottle.PID, min, min);
            return min;
        }
        return value;
    }

    /** The delay after the given number of failures: none below the threshold, then doubling up to the cap. */
    Duration delayAfter(int failures, int threshold) {
        if (failures < threshold) {
            return Duration.ZERO;
        }
        // 2^30 initial delays exceed any sensible cap; stopping there keeps the multiplication from overflowing.
        Duration d = initialDelay.multipliedBy(1L << Math.min(failures - threshold, 30));
        return d.compareTo(maxDelay) > 0 ? maxDelay : d;
    }
}
