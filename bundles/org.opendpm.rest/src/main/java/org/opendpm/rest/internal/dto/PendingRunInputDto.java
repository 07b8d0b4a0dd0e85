package org.opendpm.rest.internal.dto;

/** The package scenario to queue for a machine's next startup (EXE-11). */
public record PendingRunInputDto(Long scenarioId) {
}
