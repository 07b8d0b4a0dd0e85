package org.opendpm.rest.internal.dto;

import java.time.Instant;

import org.opendpm.api.execution.ExecutionStep;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * One step of an execution's plan (EXE-6). Times are ISO-8601 UTC and {@code null} until they happen;
 * {@code progress} is {@code null} until the step reports some.
 *
 * @param number the step's number, from 1
 * @param executor the key of the step executor that carries it out
 * @param state PENDING, RUNNING, DONE, FAILED or STOPPED
 * @param attempts how often it was started (more than once when a restarted server resumed it)
 * @param message why it failed or stopped, else empty
 */
@Schema(name = "ExecutionStep")
public record ExecutionStepDto(int number, String executor, String name, String state,
        StepProgressDto progress, String startedAt, String endedAt, int attempts, String message) {

    /**
     * The last progress a step reported.
     *
     * @param total units in all, -1 when not known
     * @param unit what is counted ({@code bytes}, {@code files} ...)
     * @param percent {@code done} of {@code total} in whole per cent (100 only when done), {@code null} when the
     *        total is not known
     * @param rate units per second over the last few seconds (IMG-6), {@code null} until known
     * @param etaSeconds seconds left at that rate, {@code null} when not known
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "StepProgress")
    public record StepProgressDto(long done, long total, String unit, Integer percent, Long rate, Long etaSeconds) {

        /** Progress without rate or estimate. */
        public StepProgressDto(long done, long total, String unit, Integer percent) {
            this(done, total, unit, percent, null, null);
        }

        public static StepProgressDto of(ExecutionStep.Progress p) {
            return new StepProgressDto(p.done(), p.total(), p.unit(), p.percent().isPresent()
                    ? p.percent()
                            .getAsInt()
                    : null, p.rate() < 0 ? null : p.rate(), p.etaSeconds() < 0 ? null : p.etaSeconds());
        }
    }

    public static ExecutionStepDto of(ExecutionStep s) {
        return new ExecutionStepDto(s.number(), s.executor(), s.name(), s.state().name(),
                s.progress().map(StepProgressDto::of).orElse(null), s.startedAt().map(Instant::toString).orElse(null),
                s.endedAt().map(Instant::toString).orElse(null), s.attempts(), s.message());
    }
}
