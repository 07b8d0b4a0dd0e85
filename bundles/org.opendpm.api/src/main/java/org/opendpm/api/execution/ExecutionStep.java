package org.opendpm.api.execution;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One step of an execution's plan as it is stored: what the Scenario Execution List shows in detail (EXE-6).
 *
 * @param number the step's number, from 1
 * @param executor the key of the step executor that carries it out
 * @param name the step's name
 * @param state where it is
 * @param progress the last progress its executor reported, if any
 * @param attempts how often it was started (more than once when a restarted server resumed it)
 * @param message why it failed or stopped, else empty
 */
public record ExecutionStep(int number, String executor, String name, State state, Optional<Progress> progress,
        Optional<Instant> startedAt, Optional<Instant> endedAt, int attempts, String message) {

    /** Where a step is. */
    public enum State {
        PENDING, RUNNING, DONE, FAILED, STOPPED
    }

    /**
     * Progress of a step (IMG-6).
     *
     * @param total units in all, -1 when not known
     * @param rate units per second over the last few seconds, -1 when not known (since 1.2)
     * @param etaSeconds seconds until {@code total} at that rate, -1 when not known (since 1.2)
     */
    public record Progress(long done, long total, String unit, long rate, long etaSeconds) {

        /** Progress without a rate or estimate. */
        public Progress(long done, long total, String unit) {
            this(done, total, unit, -1, -1);
        }

        /**
         * {@code done} of {@code total} in whole per cent, rounded down so that 100 means all is done, and within 0
         * to 100 whatever the step reported; empty when the total is not known.
         */
        public OptionalInt percent() {
            if (total <= 0) {
                return OptionalInt.empty();
            }
            if (done >= total) {
                return OptionalInt.of(100);
            }
            if (done <= 0) {
                return OptionalInt.of(0);
            }
            if (done <= Long.MAX_VALUE / 100) {
                return OptionalInt.of((int) (done * 100 / total));
            }
            // Exact also where done * 100 overflows a long (a double would round 49.99... up to 50).
            return OptionalInt.of(BigInteger.valueOf(done).multiply(BigInteger.valueOf(100))
                    .divide(BigInteger.valueOf(total)).intValue());
        }
    }

    /** A line a step executor logged. */
    public record LogLine(int step, Instant at, String line) {
    }
}
