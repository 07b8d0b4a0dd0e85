package org.opendpm.agent.protocol;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A control message of the agent link (docs/agent-protocol.md, version {@value #PROTOCOL_VERSION}). Requests are
 * asked by the server and answered by the agent with one {@link Answer} of the same id; everything else is an
 * {@link Event}, which nobody answers. The JSON names are in {@link MessageCodec} only.
 */
public sealed interface Message {

    /** The protocol version this module speaks; peers that send none speak version 1. */
    int PROTOCOL_VERSION = 2;

    /** What a chunk costs of an image transfer's window besides its stored bytes. */
    int CHUNK_COST = 256;
    /** The most bytes one {@link ReadDiskArea} or {@link WriteDiskArea} moves. */
    int MAX_AREA_BYTES = 512 * 1024;
    /** Image chunk sizes are powers of two in this range. */
    int MIN_CHUNK_SIZE = 64 * 1024;
    int MAX_CHUNK_SIZE = 64 * 1024 * 1024;
    /** The most extents of an {@link ImageRead} and disks of an image request. */
    int MAX_EXTENTS = 4096;
    int MAX_IMAGE_DISKS = 64;
    /** The most chunk ranges one multicast message lists. */
    int MAX_RANGES = 1024;
    /** The most chunks of a multicast session's image: its index (72 bytes a chunk) comes over the link. */
    long MAX_MULTICAST_CHUNKS = 1L << 24;
    /** The most files of one package, the longest installer run and the longest output a package result carries. */
    int MAX_PACKAGE_FILES = 64;
    long MAX_PACKAGE_SECONDS = 86_400;
    int MAX_PACKAGE_OUTPUT = 4096;

    /** A request of the server to the agent; the agent answers it once, with an {@link Answer} of the same id. */
    sealed interface Request extends Message {
        long id();
    }

    /** The agent's final answer to the request {@link #id()}. */
    sealed interface Answer extends Message {
        long id();
    }

    /** A message that is not answered. */
    sealed interface Event extends Message {
    }

    // ---------------------------------------------------------------- opening a session (agent → server, answers)

    /**
     * The first frame of an agent without a credential.
     *
     * @param credential the credential the agent proposes (kept as pending before it is sent)
     */
    record Register(String mac, Optional<String> credential, List<String> macs, Optional<String> uuid,
            Optional<String> ip, Optional<String> hostName, String os, String agentVersion, boolean deployOs,
            int protocol) implements Event {
        public Register {
            Objects.requireNonNull(mac, "mac");
            macs = List.copyOf(macs);
        }
    }

    /**
     * The first frame of an agent that has a credential, or of a Deploy-OS agent: an installed OS's agent carries its
     * {@code credential}; a Deploy-OS agent ({@code deployOs}) carries its one-time {@code token}, or, when it comes
     * back after losing the connection, the {@code resumeKey} of its last {@link Welcome} instead. {@code startId} is
     * drawn once per start of the agent's process and kept while it reconnects, so the server tells a machine that
     * started (Execute At Next Startup, EXE-11) from a connection that came back.
     */
    record Hello(String mac, Optional<String> credential, Optional<String> token, Optional<String> uuid,
            Optional<String> ip, Optional<String> hostName, String os, String agentVersion, boolean deployOs,
            String powerState, int protocol, Optional<String> resumeKey, Optional<String> startId) implements Event {
        /** What a {@code startId} may be: 8 to 64 base64url characters. */
        public static final java.util.regex.Pattern START_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{8,64}");

        public Hello {
            Objects.requireNonNull(mac, "mac");
            if (deployOs ? token.isPresent() == resumeKey.isPresent() : credential.isEmpty()) {
                throw new IllegalArgumentException(deployOs
                        ? "a Deploy-OS hello carries a token or a resume key"
                        : "a hello carries a credential");
            }
            if (startId.isPresent() && !START_ID.matcher(startId.get()).matches()) {
                throw new IllegalArgumentException("a start id is 8 to 64 base64url characters");
            }
        }

        /** A hello without a start id (agents before protocol package 1.6). */
        public Hello(String mac, Optional<String> credential, Optional<String> token, Optional<String> uuid,
                Optional<String> ip, Optional<String> hostName, String os, String agentVersion, boolean deployOs,
                String powerState, int protocol, Optional<String> resumeKey) {
            this(mac, credential, token, uuid, ip, hostName, os, agentVersion, deployOs, powerState, protocol,
                    resumeKey, Optional.empty());
        }

        /** A hello without a resume key. */
        public Hello(String mac, Optional<String> credential, Optional<String> token, Optional<String> uuid,
                Optional<String> ip, Optional<String> hostName, String os, String agentVersion, boolean deployOs,
                String powerState, int protocol) {
            this(mac, credential, token, uuid, ip, hostName, os, agentVersion, deployOs, powerState, protocol,
                    Optional.empty());
        }
    }

    /** The server's answer to {@code register}; the connection closes after it. */
    record Registered(String credential) implements Event {
    }

    /**
     * The server's answer to a good {@code hello}; to a Deploy-OS hello it adds the {@code resumeKey} (43 characters
     * base64url) the agent says hello with when it reconnects.
     */
    record Welcome(int heartbeatSeconds, Optional<String> resumeKey) implements Event {
        public Welcome(int heartbeatSeconds) {
            this(heartbeatSeconds, Optional.empty());
        }
    }

    record Heartbeat() implements Event {
    }

    /** An error about the connection itself (a refused hello, a protocol violation); the connection closes. */
    record ConnectionError(String code, String message) implements Event {
    }

    // ---------------------------------------------------------------- requests (server → agent)

    /** Runs a command line; answered with {@link CommandResult}. */
    record Command(long id, String commandLine, long timeoutSeconds) implements Request {
    }

    /** {@code action} is {@code shutdown} or {@code reboot}; answered with {@link Ack}, then carried out. */
    record Power(long id, String action) implements Request {
    }

    /** Opens a file transfer to the agent; its data frames follow, then {@link FileEnd}; answered with {@link Ack}. */
    record FileBegin(long id, long transferId, String folder, String name, long size, String sha256,
            Optional<String> permissions) implements Request {
    }

    /** Deletes one file; answered with {@link Ack}. */
    record DeleteFile(long id, String path) implements Request {
    }

    /** Lists a folder; answered with {@link FolderListing}. */
    record ListFolder(long id, String path) implements Request {
    }

    /**
     * Asks the agent to stream a source to the server as the transfer {@code transferId}: {@link StreamBegin}, data
     * frames while credit lasts, then the answer {@link StreamEnd}. The agent may send {@code windowBytes} before the
     * first {@link StreamCredit}.
     */
    record ReadStream(long id, long transferId, String source, Map<String, String> parameters, long windowBytes)
            implements
                Request {
        public ReadStream {
            parameters = Map.copyOf(parameters);
        }
    }

    /** Asks for the machine's disks; answered with {@link Disks}. */
    record DiskInventory(long id) implements Request {
    }

    /** Reads {@code length} bytes (1 to 512 KiB) of a disk; answered with {@link DiskArea}. */
    record ReadDiskArea(long id, int disk, long offset, int length) implements Request {
    }

    /** Writes {@code data} (1 byte to 512 KiB) to a disk and flushes it; answered with {@link Ack}. */
    record WriteDiskArea(long id, int disk, long offset, byte[] data) implements Request {
        public WriteDiskArea {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof WriteDiskArea w && id == w.id && disk == w.disk && offset == w.offset
                    && Arrays.equals(data, w.data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, disk, offset, Arrays.hashCode(data));
        }

        @Override
        public String toString() {
            return "WriteDiskArea[id=" + id + ", disk=" + disk + ", offset=" + offset + ", " + data.length
                    + " bytes]";
        }
    }

    /**
     * A range of a disk an image holds.
     *
     * @param disk the disk's number as {@link Disks} numbers it
     */
    record Extent(int disk, long offset, long length) {
    }

    /** A disk as an image read found it or an image write needs it. */
    record DiskGeometry(int number, long sizeBytes, int sectorSize) {
    }

    /**
     * Backup: asks the agent to read {@code extents}, cut them into chunks of {@code chunkSize} from each extent's
     * start, compress them at {@code compressionLevel} and send them from chunk {@code fromChunk} on as the transfer
     * {@code transferId}: {@link ImageBegin}, then per chunk an {@link ImageChunk} and its data frames, then the
     * answer {@link ImageEnd}. A chunk costs its stored length + {@value #CHUNK_COST} bytes of credit;
     * {@code windowBytes} may be outstanding before {@link StreamCredit} grants more.
     */
    record ImageRead(long id, long transferId, List<Extent> extents, int chunkSize, int compressionLevel,
            long fromChunk, long windowBytes) implements Request {
        public ImageRead {
            extents = List.copyOf(extents);
        }
    }

    /**
     * Restore: asks the agent to write the chunks {@code fromChunk} to {@code chunks - 1} the server will send as
     * {@link ImageChunk}s with data frames of {@code transferId} to {@code disks} (each at least as large as given).
     * The agent answers {@link ImageWriteReady}, confirms with {@link ImageWritten}, and after {@link ImageWriteEnd}
     * answers {@link ImageWriteResult}; the server keeps at most {@code windowBytes} (stored bytes +
     * {@value #CHUNK_COST} per chunk) unconfirmed.
     */
    record ImageWrite(long id, long transferId, List<DiskGeometry> disks, int chunkSize, long fromChunk, long chunks,
            boolean compare, long windowBytes) implements Request {
        public ImageWrite {
            disks = List.copyOf(disks);
        }
    }

    /**
     * Prepares the machine to become a master image (SCN-4): the agent of its installed OS removes what is specific to
     * this machine and answers {@link Ack} once done, then the machine is shut down. {@code system} is one of
     * {@link #SYSTEMS}.
     */
    record PrepareMaster(long id, String system) implements Request {
        public static final String LINUX = "linux";
        public static final String WINDOWS = "windows";
        /** Windows as a virtual machine: Sysprep keeps the device configuration ({@code /mode:vm}). */
        public static final String WINDOWS_VM = "windows-vm";
        public static final List<String> SYSTEMS = List.of(LINUX, WINDOWS, WINDOWS_VM);

        public PrepareMaster {
            if (!SYSTEMS.contains(system)) {
                throw new IllegalArgumentException("system '" + system + "' is not one of " + SYSTEMS);
            }
        }
    }

    /**
     * Chunks {@code first} to {@code last}, both included, of a multicast session's image. Lists of ranges are
     * ascending and do not overlap.
     */
    record ChunkRange(long first, long last) {
        public ChunkRange {
            if (first < 0 || last < first) {
                throw new IllegalArgumentException("chunk range " + first + ".." + last);
            }
        }

        public long count() {
            return last - first + 1;
        }
    }

    /**
     * Multicast restore (docs/multicast.md): the agent joins session {@code sessionId} as member {@code member},
     * receives image {@code image} from {@code group}:{@code port} and writes it to {@code disks}. The image's index
     * follows as data frames of {@code transferId}: {@code chunks} entries of 72 bytes, whose CRC-32C is
     * {@code indexCrc32c} (an unsigned 32-bit number in JSON). {@code confirmed} lists the chunks the server recorded
     * as written for this machine in this session; {@code dropSeconds} is the session's drop bound, after which a
     * receiver that hears nothing of its session gives up. The agent answers {@link MulticastJoined} once it has the index
     * and has joined, reports {@link MulticastProgress}, and after {@link MulticastEnd} answers
     * {@link MulticastResult}.
     */
    record MulticastJoin(long id, long transferId, long sessionId, UUID image, long member, String group, int port,
            int blockSize, List<DiskGeometry> disks, int chunkSize, long chunks, int indexCrc32c,
            List<ChunkRange> confirmed, boolean compare, int dropSeconds) implements Request {
        public MulticastJoin {
            disks = List.copyOf(disks);
            confirmed = List.copyOf(confirmed);
        }
    }

    // ---------------------------------------------------------------- events of a request (either way)

    /** The agent of multicast join {@code id} has the index, its disks open and the group joined. */
    record MulticastJoined(long id) implements Event {
    }

    /**
     * Chunks newly written and flushed by multicast join {@code id} (at most {@value #MAX_RANGES} ranges); {@code bytes}
     * is what it has written in all.
     */
    record MulticastProgress(long id, List<ChunkRange> confirmed, long bytes) implements Event {
        public MulticastProgress {
            confirmed = List.copyOf(confirmed);
        }
    }

    /** The server heard every chunk of multicast join {@code id} confirmed: the agent flushes, compares, answers. */
    record MulticastEnd(long id) implements Event {
    }

    /** The server has sent all data of the file transfer of request {@code id}. */
    record FileEnd(long id, long transferId) implements Event {
    }

    /** The server gives up request {@code id}: the agent stops it and answers {@code error} code {@code cancelled}. */
    record Cancel(long id) implements Event {
    }

    /** The server's sink took {@code bytes} more of the stream of request {@code id}: the agent may send them. */
    record StreamCredit(long id, long bytes) implements Event {
    }

    /** How far request {@code id} has come; {@code total} is -1 when unknown. */
    record Progress(long id, long done, long total, String unit) implements Event {
    }

    /** The stream of request {@code id} starts; {@code size} is -1 when unknown. */
    record StreamBegin(long id, long size) implements Event {
    }

    /** The image read {@code id} starts: each disk its extents name, once, in order of first appearance. */
    record ImageBegin(long id, List<DiskGeometry> disks) implements Event {
        public ImageBegin {
            disks = List.copyOf(disks);
        }
    }

    /**
     * One chunk of an image read (agent → server) or write (server → agent), followed by data frames carrying exactly
     * {@code storedLength} stored bytes; a hole has none, {@code crc32c} 0 and a {@code sha256} of 64 zeros.
     *
     * @param chunk the chunk's number in the image
     * @param crc32c CRC-32C of the stored bytes; an unsigned 32-bit number in JSON
     * @param sha256 SHA-256 of the uncompressed bytes, 64 lower-case hex digits
     */
    record ImageChunk(long id, long chunk, int disk, long diskOffset, int length, boolean hole, int storedLength,
            int crc32c, String sha256) implements Event {
        /** The {@code sha256} of a hole. */
        public static final String HOLE_SHA256 = "0".repeat(64);
    }

    /** The agent is ready for the chunks of image write {@code id}. */
    record ImageWriteReady(long id) implements Event {
    }

    /** Every chunk below {@code chunks} of image write {@code id} is written: {@code bytes} bytes in this request. */
    record ImageWritten(long id, long chunks, long bytes) implements Event {
    }

    /** The server has sent the last chunk of image write {@code id}. */
    record ImageWriteEnd(long id) implements Event {
    }

    /**
     * Makes a fresh, empty folder on the agent for the files of one package (PKG-2); answered with
     * {@link PackageStaged}. The server then sends the package's files into it with {@link FileBegin} and installs it
     * with {@link PackageInstall}. {@code name} is the package's name, for the agent's log.
     */
    record PackageStage(long id, String name) implements Request {
    }

    /**
     * Installs the package whose files were sent into {@code folder} (a folder {@link PackageStaged} named) with
     * {@code installer}: {@value #DEB} ({@code dpkg -i} of the {@code .deb} files in the order given), {@value #RPM}
     * ({@code rpm -U} of the {@code .rpm} files) or {@value #SCRIPT} ({@code command} run by the shell in the folder).
     * Answered with {@link PackageResult}; the agent removes the folder afterwards.
     */
    record PackageInstall(long id, String folder, String installer, List<String> files, Optional<String> command,
            long timeoutSeconds) implements Request {
        public static final String DEB = "deb";
        public static final String RPM = "rpm";
        public static final String SCRIPT = "script";
        public static final List<String> INSTALLERS = List.of(DEB, RPM, SCRIPT);

        public PackageInstall {
            if (!INSTALLERS.contains(installer)) {
                throw new IllegalArgumentException("installer '" + installer + "' is not one of " + INSTALLERS);
            }
            files = List.copyOf(files);
            if (files.isEmpty() || files.size() > MAX_PACKAGE_FILES) {
                throw new IllegalArgumentException("a package has 1 to " + MAX_PACKAGE_FILES + " files");
            }
            if (installer.equals(SCRIPT) != command.isPresent()) {
                throw new IllegalArgumentException("a command is given exactly for the script installer");
            }
            if (timeoutSeconds < 1 || timeoutSeconds > MAX_PACKAGE_SECONDS) {
                throw new IllegalArgumentException("timeout " + timeoutSeconds + " s is outside 1.."
                        + MAX_PACKAGE_SECONDS);
            }
        }
    }

    // ---------------------------------------------------------------- answers (agent → server)

    /** The folder a {@link PackageStage} made, an absolute path on the machine. */
    record PackageStaged(long id, String folder) implements Answer {
    }

    /**
     * What a package's installer did: its exit code (-1 when it was killed at its time-out), the end of what it wrote
     * (at most {@value #MAX_PACKAGE_OUTPUT} characters) and how long it ran.
     */
    record PackageResult(long id, int exitCode, String output, long millis) implements Answer {
        public PackageResult {
            if (output.length() > MAX_PACKAGE_OUTPUT) {
                throw new IllegalArgumentException("output of " + output.length() + " characters, more than "
                        + MAX_PACKAGE_OUTPUT);
            }
        }
    }

    /** {@code exitCode} is -1 when the command was killed at its time-out. */
    record CommandResult(long id, int exitCode, String output) implements Answer {
    }

    record Ack(long id) implements Answer {
    }

    /** A folder's entries; {@code truncated} when the listing was cut to fit a frame. */
    record FolderListing(long id, List<Entry> entries, boolean truncated) implements Answer {
        public FolderListing {
            entries = List.copyOf(entries);
        }

        /** @param permissions three octal digits, empty where the file system has none */
        public record Entry(String name, boolean directory, long size, Instant modified, String permissions) {
        }
    }

    /** The machine's disks in the order the agent lists them. */
    record Disks(long id, List<Disk> disks) implements Answer {
        public Disks {
            disks = List.copyOf(disks);
        }

        /**
         * As {@code org.opendpm.api.inventory.DiskInfo}; a disk that could not be read is listed in its place with
         * {@code partitionTable} {@code unreadable} and the reason in {@code problem} (empty otherwise).
         */
        public record Disk(int number, String device, long sizeBytes, String partitionTable, String model,
                List<Partition> partitions, String problem) {
            public Disk {
                partitions = List.copyOf(partitions);
            }
        }

        /** As {@code org.opendpm.api.inventory.PartitionInfo}. */
        public record Partition(int number, long startBytes, long sizeBytes, String type, String filesystem) {
        }
    }

    /** The stream of request {@code id} is complete: {@code bytes} sent, their SHA-256 in lower-case hex. */
    record StreamEnd(long id, long bytes, String sha256) implements Answer {
    }

    /** The bytes {@link ReadDiskArea} asked for. */
    record DiskArea(long id, byte[] data) implements Answer {
        public DiskArea {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DiskArea a && id == a.id && Arrays.equals(data, a.data);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(id) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "DiskArea[id=" + id + ", " + data.length + " bytes]";
        }
    }

    /** Image read {@code id} is complete: {@code chunks} chunks of {@code storedBytes} stored bytes from its first. */
    record ImageEnd(long id, long chunks, long storedBytes) implements Answer {
    }

    /**
     * Image write {@code id} is complete and flushed: {@code chunks} chunks, {@code bytesWritten} bytes in this request;
     * with {@code compared}, the chunks whose range read back differently (at most {@value #MAX_MISMATCHES}).
     */
    record ImageWriteResult(long id, long chunks, long bytesWritten, boolean compared, List<Mismatch> mismatches)
            implements
                Answer {
        public static final int MAX_MISMATCHES = 100;

        public ImageWriteResult {
            mismatches = List.copyOf(mismatches);
        }

        public record Mismatch(long chunk, int disk, long diskOffset) {
        }
    }

    /**
     * Multicast join {@code id} is complete and flushed: {@code chunks} chunks, {@code bytesWritten} bytes written by
     * this agent; with {@code compared}, the chunks whose range read back differently (at most 100).
     */
    record MulticastResult(long id, long chunks, long bytesWritten, boolean compared,
            List<ImageWriteResult.Mismatch> mismatches) implements Answer {
        public MulticastResult {
            mismatches = List.copyOf(mismatches);
        }
    }

    /**
     * Request {@code id} failed; {@code code} is {@code failed} or {@code cancelled}, or {@code dropped} (server →
     * agent) for a multicast member the server dropped from its session.
     */
    record ErrorAnswer(long id, String code, String message) implements Answer {
        public static final String FAILED = "failed";
        public static final String CANCELLED = "cancelled";
        public static final String DROPPED = "dropped";
    }
}
