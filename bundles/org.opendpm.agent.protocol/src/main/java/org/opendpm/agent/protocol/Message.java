package org.opendpm.agent.protocol;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A control message of the agent link (docs/agent-protocol.md, version {@value #PROTOCOL_VERSION}). Requests are
 * asked by the server and answered by the agent with one {@link Answer} of the same id; everything else is an
 * {@link Event}, which nobody answers. The JSON names are in {@link MessageCodec} only.
 */
public sealed interface Message {

    /** The protocol version this module speaks; peers that send none speak version 1. */
    int PROTOCOL_VERSION = 2;

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
     * The first frame of an agent that has a credential, or of a Deploy-OS agent with its one-time token: exactly one
     * of {@code credential} (installed OS) and {@code token} ({@code deployOs}) is present.
     */
    record Hello(String mac, Optional<String> credential, Optional<String> token, Optional<String> uuid,
            Optional<String> ip, Optional<String> hostName, String os, String agentVersion, boolean deployOs,
            String powerState, int protocol) implements Event {
        public Hello {
            Objects.requireNonNull(mac, "mac");
            if (deployOs ? token.isEmpty() : credential.isEmpty()) {
                throw new IllegalArgumentException(deployOs
                        ? "a Deploy-OS hello carries a token"
                        : "a hello carries a credential");
            }
        }
    }

    /** The server's answer to {@code register}; the connection closes after it. */
    record Registered(String credential) implements Event {
    }

    /** The server's answer to a good {@code hello}. */
    record Welcome(int heartbeatSeconds) implements Event {
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

    // ---------------------------------------------------------------- events of a request (either way)

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

    // ---------------------------------------------------------------- answers (agent → server)

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

    /** Request {@code id} failed; {@code code} is {@code failed} or {@code cancelled}. */
    record ErrorAnswer(long id, String code, String message) implements Answer {
        public static final String FAILED = "failed";
        public static final String CANCELLED = "cancelled";
    }
}
