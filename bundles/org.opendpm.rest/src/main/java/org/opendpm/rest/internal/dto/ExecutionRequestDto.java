package org.opendpm.rest.internal.dto;

import java.util.List;

/**
 * A request to execute (EXE-1): the machines by inventory id and, optionally, the scenario to assign to each of them
 * first; without {@code scenarioId} every machine runs the scenario assigned to it.
 */
public record ExecutionRequestDto(List<Long> machineIds, Long scenarioId) {
}
