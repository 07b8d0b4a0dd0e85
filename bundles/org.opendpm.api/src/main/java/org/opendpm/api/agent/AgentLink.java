package org.opendpm.api.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.opendpm.api.inventory.DiskInfo;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Requests to the agents of managed machines. An agent is found by the managed machine's id: the link holds one
 * authenticated session per machine, bound to the MAC address its credential was issued for.
 *
 * <p>Every request completes exceptionally with {@link AgentUnavailableException} when the machine has no connected
 * agent or the connection is lost before the answer, and with {@link AgentRequestException} when the agent answers
 * with an error. None of the methods blocks.
 *
 * <p>Cancelling the future a request returns ({@code toCompletableFuture().cancel(true)}) tells the agent to stop it:
 * a command's process tree is killed, a transfer or stream is abandoned.
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

    /** As {@link #runCommand(long, String, Duration)}, telling {@code progress} what the agent reports meanwhile. */
    CompletionStage<CommandResult> runCommand(long machineId, String commandLine, Duration timeout,
            ProgressListener progress);

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
     * The machine's disks as the agent finds them (IMG-4); an agent that cannot list disks (not in a Deploy-OS, on
     * Windows) answers with an error.
     */
    CompletionStage<List<DiskInfo>> disks(long machineId);

    /**
     * Streams a source of the agent into {@code sink} and completes with the byte count once the SHA-256 the agent
     * reports matches what the sink was given. Source {@code file} with parameter {@code path} reads a file or block
     * device the agent's configuration allows. Back-pressure: a slow sink slows the agent down.
     */
    CompletionStage<StreamResult> readStream(long machineId, String source, Map<String, String> parameters,
            StreamSink sink, ProgressListener progress);

    /**
     * Withdraws the credential issued for this MAC and closes its session, so an agent can register for it again
     * (after a machine was replaced); {@code false} when none was issued.
     */
    boolean resetCredential(String mac);
}
