package org.opendpm.api.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Requests to the agents of managed machines. An agent is found by the managed machine's id: the link holds one
 * authenticated session per machine, bound to the MAC address its credential was issued for.
 *
 * <p>Every request completes exceptionally with {@link AgentUnavailableException} when the machine has no connected
 * agent or the connection is lost before the answer, and with {@link AgentRequestException} when the agent answers
 * with an error. None of the methods blocks.
 */
@ProviderType
public interface AgentLink {

    /** The connected agent of the machine, if any. */
    Optional<AgentInfo> agent(long machineId);

    /** Port, certificate fingerprint and counters of the link. */
    AgentLinkStatus status();

    /** Every connected agent, ordered by MAC. */
    List<AgentInfo> agents();

    /**
     * Runs a command line on the machine (a package step, EXE-9) and completes with its exit code and output. The
     * agent kills the command when {@code timeout} passes and answers with exit code -1.
     */
    CompletionStage<CommandResult> runCommand(long machineId, String commandLine, Duration timeout);

    /** Asks the agent to shut the machine down or reboot it; completes once the agent has acknowledged. */
    CompletionStage<Void> power(long machineId, AgentPowerAction action);

    /**
     * Sends one server file into a folder on the machine (FIL-1); the agent writes it to a temporary file, checks
     * size and SHA-256, applies the permissions and renames it into place.
     *
     * @param permissions POSIX permissions as three octal digits ({@code 640}); ignored by agents on Windows
     */
    CompletionStage<Void> sendFile(long machineId, Path source, String targetFolder, String permissions);

    /** Deletes one file on the machine (FIL-1). */
    CompletionStage<Void> deleteFile(long machineId, String path);

    /** Lists a folder on the machine (FIL-1). */
    CompletionStage<List<RemoteFile>> listFolder(long machineId, String folder);

    /**
     * Withdraws the credential issued for this MAC and closes its session, so an agent can register for it again
     * (after a machine was replaced); {@code false} when none was issued.
     */
    boolean resetCredential(String mac);
}
