package org.opendpm.spi;

import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The machine's agent, for one step. A request made while the machine has no connected agent waits for it: a
 * machine that is off is powered on first and its agent must connect within the Remote Power ON Timeout (SCH-4).
 * When the step is stopped the core cancels every request it made, and the agent stops the command or transfer.
 */
@ProviderType
public interface AgentHandle {

    /** Which agent of the machine a wait accepts. */
    enum Kind {
        /** The agent of either OS. */
        ANY,
        /** The agent in the Deploy-OS. */
        DEPLOY_OS,
        /** The agent of the installed OS. */
        INSTALLED_OS
    }

    /** Whether an agent of that kind is connected now. */
    boolean isConnected(Kind kind);

    /**
     * Completes when an agent of that kind is connected. With {@code afterPowerOn} only a connection made after this
     * call counts, within the Remote Power ON Timeout, and missing it is a Remote Power ON Error (SCH-4); call it
     * before the power-on or reboot it waits for. Without, a connected agent counts and the wait lasts until the
     * execution's time-out.
     */
    CompletionStage<Void> awaitConnection(Kind kind, boolean afterPowerOn);

    /** Runs a command line; completes with its exit code and output (the last 64 KiB). */
    CompletionStage<CommandResult> run(String commandLine, Duration timeout);

    /** Sends a file of the server's file folder into a folder on the machine (FIL-1). */
    CompletionStage<Void> send(String serverFile, String targetFolder, String permissions);

    /**
     * Receives a stream from the agent (a disk read for a backup) into the sink, with back-pressure: the agent
     * sends no faster than the sink takes.
     *
     * @param source what the agent reads ({@code file} with the parameter {@code path})
     * @return the bytes received and their SHA-256 as the agent computed it, checked by the core
     */
    CompletionStage<StreamResult> receive(String source, Map<String, String> parameters, WritableByteChannel sink);

    /** Asks the agent to reboot the machine; completes once it acknowledged. */
    CompletionStage<Void> reboot();

    /**
     * What a command did.
     *
     * @param exitCode its exit code, -1 when it was killed at its time-out
     * @param output the end of what it wrote
     */
    record CommandResult(int exitCode, String output) {
    }

    /**
     * What a stream carried.
     *
     * @param bytes how many bytes
     * @param sha256 their SHA-256, hex
     */
    record StreamResult(long bytes, String sha256) {
    }
}
