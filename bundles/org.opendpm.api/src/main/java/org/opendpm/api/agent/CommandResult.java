package org.opendpm.api.agent;

/**
 * A finished command.
 *
 * @param exitCode the process's exit code; -1 when the agent killed it at its time-out
 * @param output standard output and error interleaved, cut to the last 64 KiB
 */
public record CommandResult(int exitCode, String output) {
}
