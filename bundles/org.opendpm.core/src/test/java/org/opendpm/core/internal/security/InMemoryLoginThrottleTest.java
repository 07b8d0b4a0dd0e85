package org.opendpm.core.internal.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;

/**
 * Login throttling (no requirement of the catalogue covers login security; this is what an administrator expects):
 * delays per user name and per address that double up to a cap, run out by themselves and stay bounded in memory.
 */
public class InMemoryLoginThrottleTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    static InMemoryLoginThrottle.Config config(int userFailures, int addressFailures, int initialSeconds,
            int maxSeconds, int forgetSeconds, int maxEntries) {
        return new InMemoryLoginThrottle.Config() {
            @Override
            public int userFailures() {
                return userFailures;
            }

            @Override
            public int addressFailures() {
                return addressFailures;
            }

            @Override
            public int initialDelaySeconds() {
                return initialSeconds;
            }

            @Override
            public int maxDelaySeconds() {
                return maxSeconds;
            }

            @Override
            public int forgetAfterSeconds() {
                return forgetSeconds;
            }

            @Override
            public int maxEntries() {
                return maxEntries;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return InMemoryLoginThrottle.Config.class;
            }
        };
    }

    /** The shipped defaults: 5 per user, 20 per address, 1 s doubling to 15 min, forgotten after an hour. */
    private final InMemoryLoginThrottle throttle = new InMemoryLoginThrottle(config(5, 20, 1, 900, 3600, 10_000),
            nanos::get);

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    private void fail(String user, String address, int times) {
        for (int i = 0; i < times; i++) {
            throttle.failed(user, address);
        }
    }

    @Test
    public void fiveFailuresForAUserDelayTheNextLoginOneSecond() {
        fail("alice", "192.0.2.1", 4);
        assertThat(throttle.delay("alice", "192.0.2.1")).isZero();
        fail("alice", "192.0.2.1", 1);
        assertThat(throttle.delay("alice", "192.0.2.1")).isEqualTo(Duration.ofSeconds(1));
        // From any address: the name is what is guessed at.
        assertThat(throttle.delay("alice", "198.51.100.9")).isEqualTo(Duration.ofSeconds(1));
        assertThat(throttle.delay("alice", null)).isEqualTo(Duration.ofSeconds(1));
        advance(Duration.ofMillis(400));
        assertThat(throttle.delay("alice", "192.0.2.1")).isEqualTo(Duration.ofMillis(600));
    }

    @Test
    public void eachFurtherFailureDoublesTheDelayUpToTheCap() {
        fail("alice", null, 5);
        long expected = 1;
        for (int failure = 6; failure <= 20; failure++) {
            advance(throttle.delay("alice", null));
            assertThat(throttle.delay("alice", null)).isZero();
            throttle.failed("alice", null);
            expected = Math.min(expected * 2, 900);
            assertThat(throttle.delay("alice", null)).as("after failure %d", failure)
                    .isEqualTo(Duration.ofSeconds(expected));
        }
        assertThat(expected).isEqualTo(900);
    }

    @Test
    public void aSuccessResetsTheUsersCount() {
        fail("alice", "192.0.2.1", 4);
        throttle.reset("alice");
        fail("alice", "192.0.2.1", 4);
        assertThat(throttle.delay("alice", "192.0.2.1")).isZero();
        fail("alice", "192.0.2.1", 1);
        assertThat(throttle.delay("alice", "192.0.2.1")).isPositive();
    }

    @Test
    public void anotherUserFromAnotherAddressIsUnaffected() {
        fail("alice", "192.0.2.1", 8);
        assertThat(throttle.delay("alice", "192.0.2.1")).isPositive();
        assertThat(throttle.delay("bob", "198.51.100.9")).isZero();
        // Eight failures are below the address threshold: bob from alice's address may log in too.
        assertThat(throttle.delay("bob", "192.0.2.1")).isZero();
    }

    @Test
    public void manyUserNamesFromOneAddressDelayThatAddressOnly() {
        for (int i = 0; i < 19; i++) {
            throttle.failed("user" + i, "192.0.2.1");
        }
        assertThat(throttle.delay("someone", "192.0.2.1")).isZero();
        throttle.failed("user19", "192.0.2.1");
        assertThat(throttle.delay("someone", "192.0.2.1")).isEqualTo(Duration.ofSeconds(1));
        assertThat(throttle.delay("someone", "198.51.100.9")).isZero();
        // A success of one account does not clear its address: that would let a user with an account guess on.
        throttle.reset("someone");
        assertThat(throttle.delay("someone", "192.0.2.1")).isEqualTo(Duration.ofSeconds(1));
        advance(Duration.ofSeconds(1));
        throttle.failed("user20", "192.0.2.1");
        assertThat(throttle.delay("someone", "192.0.2.1")).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    public void delaysRunOutAndCountsAreForgottenByTheClock() {
        fail("alice", "192.0.2.1", 5);
        advance(Duration.ofMillis(999));
        assertThat(throttle.delay("alice", "192.0.2.1")).isEqualTo(Duration.ofMillis(1));
        advance(Duration.ofMillis(1));
        assertThat(throttle.delay("alice", "192.0.2.1")).isZero();
        // Still counted: the next failure doubles.
        throttle.failed("alice", "192.0.2.1");
        assertThat(throttle.delay("alice", "192.0.2.1")).isEqualTo(Duration.ofSeconds(2));
        // An hour without failures and the name starts again from zero.
        advance(Duration.ofHours(1));
        fail("alice", "192.0.2.1", 4);
        assertThat(throttle.delay("alice", "192.0.2.1")).isZero();
    }

    @Test
    public void sprayingNamesAndAddressesStaysWithinTheCap() {
        var small = new InMemoryLoginThrottle(config(5, 20, 1, 900, 3600, 100), nanos::get);
        for (int i = 0; i < 10_000; i++) {
            small.failed("user" + i, "10.0." + (i / 256) + "." + (i % 256));
        }
        assertThat(small.size()).isEqualTo(200);
        // The newest records are the ones kept.
        for (int i = 0; i < 4; i++) {
            small.failed("user9999", "192.0.2.1");
        }
        assertThat(small.delay("user9999", null)).isPositive();
        // Names longer than any user name share one entry, however long the header was.
        for (int i = 0; i < 50; i++) {
            small.failed("x".repeat(InMemoryLoginThrottle.MAX_KEY_LENGTH) + i, null);
        }
        assertThat(small.delay("x".repeat(InMemoryLoginThrottle.MAX_KEY_LENGTH) + "other", null)).isPositive();
        assertThat(small.size()).isLessThanOrEqualTo(200);
        // Expired records go without waiting for the cap.
        advance(Duration.ofHours(1));
        small.failed("late", "192.0.2.200");
        assertThat(small.size()).isEqualTo(2);
    }

    @Test
    public void valuesOutOfRangeAreRaisedToTheLeastAllowed() {
        var odd = new InMemoryLoginThrottle(config(0, 0, 0, 0, 0, 0), nanos::get);
        odd.failed("alice", null);
        assertThat(odd.delay("alice", null)).isEqualTo(Duration.ofSeconds(1));
        // forgetAfter is raised to the cap of the delay, so a delay never outlives its record.
        advance(Duration.ofMillis(999));
        assertThat(odd.delay("alice", null)).isPositive();
    }
}
