package org.opendpm.api.execution;

import java.time.Instant;
import java.util.Optional;

/**
 * One execution of a scenario on one machine.
 *
 * @param step the number of the step being carried out, from 1; 0 before the first
 * @param steps how many steps the plan has; 0 before it is planned
 * @param stepName what the current step does ({@code Agent command}, {@code Wait for agent} ...)
 * @param progress per cent of the current step when it reports progress (backup, restore, transfer), else empty
 * @param requestedBy the user, or {@code schedule:<id>} for a scheduled execution
 * @param message the error for a failed execution; what is happening for a running one; for a finished backup or
 *            restore also its figures (bytes, elapsed time, average rate)
 * @param stepProgress the current step's progress with its rate and estimated time left (IMG-6), when it reports
 *            any (since 1.2)
 */
public record Execution(long id, long machineId, String machineName, long scenarioId, String scenarioName,
        ExecutionState state, int step, int steps, String stepName, Optional<Integer> progress, String requestedBy,
        Instant queuedAt, Optional<Instant> startedAt, Optional<Instant> endedAt, String message,
        Optional<ExecutionStep.Progress> stepProgress) {

    /** An execution whose current step reports no progress. */
    public Execution(long id, long machineId, String machineName, long scenarioId, String scenarioName,
            ExecutionState state, int step, int steps, String stepName, Optional<Integer> progress,
            String requestedBy, Instant queuedAt, Optional<Instant> startedAt, Optional<Instant> endedAt,
            String message) {
        this(id, machineId, machineName, scenarioId, scenarioName, state, step, steps, stepName, progress,
                requestedBy, queuedAt, startedAt, endedAt, message, Optional.empty());
    }
}
