package org.opendpm.api.packages;

import java.time.Instant;

/**
 * A package scenario queued to run on a machine when its agent next connects (EXE-11).
 *
 * @param id the queue entry's id
 * @param machineId the managed machine
 * @param scenarioId the scenario, which has a Package tab
 * @param scenarioName its name when queued
 * @param queuedBy who queued it
 * @param queuedAt when
 */
public record PendingRun(long id, long machineId, long scenarioId, String scenarioName, String queuedBy,
        Instant queuedAt) {
}
