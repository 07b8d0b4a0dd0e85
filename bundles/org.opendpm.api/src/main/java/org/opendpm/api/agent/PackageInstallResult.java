package org.opendpm.api.agent;

import java.time.Duration;

/**
 * What a package's installer did on the machine. Since 1.4.
 *
 * @param exitCode its exit code; -1 when the agent killed it at its time-out
 * @param output the end of what it wrote, at most 4096 characters
 * @param elapsed how long it ran
 */
public record PackageInstallResult(int exitCode, String output, Duration elapsed) {
}
