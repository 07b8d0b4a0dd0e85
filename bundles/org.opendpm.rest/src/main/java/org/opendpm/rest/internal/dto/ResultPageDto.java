package org.opendpm.rest.internal.dto;

import java.util.List;

import org.opendpm.api.execution.ResultPage;

/** One page of the Scenario Execution Result List (EXE-7), newest first, and how many results match in all. */
public record ResultPageDto(List<ExecutionDto> results, long total, int offset, int limit) {

    public static ResultPageDto of(ResultPage p, int offset, int limit) {
        return new ResultPageDto(p.results().stream().map(ExecutionDto::of).toList(), p.total(), offset, limit);
    }
}
