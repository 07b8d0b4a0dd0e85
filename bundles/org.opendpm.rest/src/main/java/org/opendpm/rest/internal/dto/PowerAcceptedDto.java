package org.opendpm.rest.internal.dto;

/**
 * A power command that was sent. Power on is done once the machine's agent connects within the Remote Power ON
 * Timeout (SCH-4); the machine's status tells the outcome.
 */
public record PowerAcceptedDto(long machineId, String action) {
}
