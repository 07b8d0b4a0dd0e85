package org.opendpm.rest.internal.dto;

import org.opendpm.api.execution.ExecutionStep;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A line a step of an execution logged.
 *
 * @param step the number of the step that logged it
 * @param at when, ISO-8601 UTC
 */
@Schema(name = "ExecutionLogLine")
public record ExecutionLogLineDto(int step, String at, String line) {

    public static ExecutionLogLineDto of(ExecutionStep.LogLine l) {
        return new ExecutionLogLineDto(l.step(), l.at().toString(), l.line());
    }
}
