package org.opendpm.rest.internal.dto;

import org.opendpm.api.packages.PendingRun;

/** A package scenario waiting for a machine's next startup (EXE-11). */
public record PendingRunDto(long id, long machineId, long scenarioId, String scenarioName, String queuedBy,
        String queuedAt) {

    public static PendingRunDto of(PendingRun r) {
        return new PendingRunDto(r.id(), r.machineId(), r.scenarioId(), r.scenarioName(), r.queuedBy(),
                r.queuedAt().toString());
    }
}
