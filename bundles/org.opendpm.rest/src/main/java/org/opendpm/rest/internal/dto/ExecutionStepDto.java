package org.opendpm.rest.internal.dto;

import java.math.BigInteger;
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
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "StepProgress")
    public record StepProgressDto(long done, long total, String unit, Integer percent) {

        public static StepProgressDto of(ExecutionStep.Progress p) {
            return new StepProgressDto(p.done(), p.total(), p.unit(), percent(p.done(), p.total()));
        }

        /** Rounded down, so a step shows 100 only when all is done; never below 0 or above 100. */
        static Integer percent(long done, long total) {
            if (total <= 0) {
                return null;
            }
            if (done >= total) {
                return 100;
            }
            if (done <= 0) {
                return 0;
            }
            if (done <= Long.MAX_VALUE / 100) {
                return (int) (done * 100 / total);
            }
            // Exact also where done * 100 overflows a long (and a double would round 49.99... up to 50).
            return BigInteger.valueOf(done).multiply(BigInteger.valueOf(100)).divide(BigInteger.valueOf(total))
                    .intValue();
        }
    }

    public static ExecutionStepDto of(ExecutionStep s) {
        return new ExecutionStepDto(s.number(), s.executor(), s.name(), s.state().name(),
                s.progress().map(StepProgressDto::of).orElse(null), s.startedAt().map(Instant::toString).orElse(null),
                s.endedAt().map(Instant::toString).orElse(null), s.attempts(), s.message());
    }
}
