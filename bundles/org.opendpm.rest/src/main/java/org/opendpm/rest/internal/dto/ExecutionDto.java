package org.opendpm.rest.internal.dto;

import java.time.Instant;

import org.opendpm.api.execution.Execution;
import org.opendpm.rest.internal.dto.ExecutionStepDto.StepProgressDto;

/**
 * One execution of a scenario on one machine (EXE-6, EXE-7). Times are ISO-8601 UTC; {@code startedAt},
 * {@code endedAt} and {@code progress} are null until they apply.
 *
 * @param state WAITING, RUNNING, COMPLETED, FAILED, TIMED_OUT or CANCELLED
 * @param step the step being carried out, from 1 (0 before the first) of {@code steps}
 * @param progress per cent of the current step when it reports progress (backup, restore, transfer)
 * @param message the error of a failed execution; what is happening in a running one; a finished backup or restore
 *        adds its bytes, elapsed time and average rate
 * @param stepProgress the current step's progress: done, total, unit, per cent, rate and seconds left (IMG-6); null
 *        when the step reports none
 */
public record ExecutionDto(long id, long machineId, String machineName, long scenarioId, String scenarioName,
        String state, boolean finished, int step, int steps, String stepName, Integer progress, String requestedBy,
        String queuedAt, String startedAt, String endedAt, String message, StepProgressDto stepProgress) {

    public static ExecutionDto of(Execution e) {
        return new ExecutionDto(e.id(), e.machineId(), e.machineName(), e.scenarioId(), e.scenarioName(),
                e.state().name(), e.state().finished(), e.step(), e.steps(), e.stepName(), e.progress().orElse(null),
                e.requestedBy(), e.queuedAt().toString(), e.startedAt().map(Instant::toString).orElse(null),
                e.endedAt().map(Instant::toString).orElse(null), e.message(),
                e.stepProgress().map(StepProgressDto::of).orElse(null));
    }
}
