package org.opendpm.rest.internal.dto;

import org.opendpm.api.scenario.Assignment;

/** A scenario assigned to a machine (SCN-5); {@code assignedAt} in ISO-8601 UTC. */
public record AssignmentDto(long machineId, String machineName, long scenarioId, String scenarioName,
        String assignedAt) {

    public static AssignmentDto of(Assignment a) {
        return new AssignmentDto(a.machineId(), a.machineName(), a.scenarioId(), a.scenarioName(),
                a.assignedAt().toString());
    }
}
