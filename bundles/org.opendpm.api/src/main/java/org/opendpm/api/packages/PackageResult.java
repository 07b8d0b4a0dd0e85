package org.opendpm.api.packages;

import java.time.Duration;
import java.time.Instant;

/**
 * One package's result on one machine, kept with the execution's result (PKG-2).
 *
 * @param executionId the execution that installed it
 * @param machineId the machine
 * @param packageId the package (it may have been deleted since)
 * @param packageName its name then
 * @param exitCode the installer's exit code, -1 when it was killed at its time-out
 * @param outcome what that exit code meant
 * @param output the end of what the installer wrote, at most 4096 characters
 * @param elapsed how long it ran
 * @param finishedAt when it ended
 */
public record PackageResult(long executionId, long machineId, long packageId, String packageName, int exitCode,
        PackageOutcome outcome, String output, Duration elapsed, Instant finishedAt) {
}
