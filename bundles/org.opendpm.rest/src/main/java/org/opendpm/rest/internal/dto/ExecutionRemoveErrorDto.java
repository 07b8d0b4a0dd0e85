package org.opendpm.rest.internal.dto;

/** The answer to Remove Error (EXE-8): {@code removed} is false when the machine had no error status. */
public record ExecutionRemoveErrorDto(long machineId, boolean removed) {
}
