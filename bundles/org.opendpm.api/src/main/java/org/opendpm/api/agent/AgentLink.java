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

    /**
     * Installs a package on the machine (PKG-2): the agent makes a folder for it, its files are sent there as
     * {@link #sendFile} sends files, then the agent runs the installer and removes the folder. Completes with what the
     * installer did, whatever its exit code; cancelling stops the transfer or kills the installer. Since 1.4.
     */
    CompletionStage<PackageInstallResult> installPackage(long machineId, PackageInstallRequest request);

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

    /**
     * Reads extents of the machine's disks in its Deploy-OS into {@code sink} as image chunks (IMG-1): the agent
     * cuts, checks for holes, hashes and compresses on the machine, so the link carries compressed bytes; the link
     * checks each chunk's CRC-32C and the chunk's place against the request before the sink sees it. Back-pressure:
     * a slow sink slows the agent down. When the connection is lost the request fails with
     * {@link AgentUnavailableException}; the caller may ask again from the next chunk once the agent is back.
     */
    CompletionStage<ImageReadResult> readImage(long machineId, ImageReadRequest request, ImageChunkSink sink,
            ProgressListener progress);

    /**
     * Writes image chunks from {@code source} to the machine's disks in its Deploy-OS (a restore). The agent checks
     * every chunk (CRC-32C, decompression to its length, SHA-256) before writing it and fails at the first bad one,
     * naming it and its disk offset, without writing it; after the last it flushes the disks and, when asked,
     * compares the written ranges with the image. {@code progress} hears the bytes the agent confirmed written, so
     * a caller whose connection is lost can resume after the last confirmed chunk
     * ({@link ImageWriteProgress#confirmedChunks}).
     */
    CompletionStage<ImageWriteResult> writeImage(long machineId, ImageWriteRequest request, ImageChunkSource source,
            ImageWriteProgress progress);

    /**
     * Reads up to 512 KiB of one disk of the machine in its Deploy-OS (the partition table area an image keeps in
     * its header).
     */
    CompletionStage<byte[]> readDiskArea(long machineId, int disk, long offset, int length);

    /** Writes up to 512 KiB to one disk of the machine in its Deploy-OS (a partition table area) and flushes it. */
    CompletionStage<Void> writeDiskArea(long machineId, int disk, long offset, byte[] data);

    /**
     * Has the agent of the machine's installed OS prepare it to become a master image (SCN-4, the built-in master
     * setup scenarios): it removes what is specific to the machine ({@code linux}: identity, SSH host keys, network
     * settings to DHCP; {@code windows}: Sysprep generalize; {@code windows-vm}: the same with {@code /mode:vm}) and
     * forgets its credential. Completes once the agent confirmed; the agent then shuts the machine down, and the link
     * withdraws the credential of its MAC so the image's copies and the machine itself register anew. Refused with
     * {@link AgentRequestException} for an agent in a Deploy-OS or on the wrong system.
     *
     * @param system {@code linux}, {@code windows} or {@code windows-vm}
     */
    CompletionStage<Void> prepareMaster(long machineId, String system);

    /**
     * Closes the machine's agent connection now, as a network loss would (the agent reconnects as it does after
     * one); {@code false} when none is connected.
     */
    boolean disconnect(long machineId);
}
