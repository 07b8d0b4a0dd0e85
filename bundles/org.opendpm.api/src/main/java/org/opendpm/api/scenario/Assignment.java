package org.opendpm.api.scenario;

import java.time.Instant;

/** A scenario assigned to a machine (SCN-5); a machine has at most one. */
public record Assignment(long machineId, String machineName, long scenarioId, String scenarioName,
        Instant assignedAt) {
}
