package org.opendpm.api.execution;

import java.time.Instant;
import java.util.Optional;

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
     * Progress of a step.
     *
     * @param total units in all, -1 when not known
     */
    public record Progress(long done, long total, String unit) {
    }

    /** A line a step executor logged. */
    public record LogLine(int step, Instant at, String line) {
    }
}
