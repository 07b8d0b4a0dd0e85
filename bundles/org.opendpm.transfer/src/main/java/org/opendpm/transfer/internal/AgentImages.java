package org.opendpm.transfer.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.opendpm.agent.protocol.Message;
import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.agent.ImageChunk;
import org.opendpm.api.agent.ImageChunkSink;
import org.opendpm.api.agent.ImageChunkSource;
import org.opendpm.api.agent.ImageDisk;
import org.opendpm.api.agent.ImageReadRequest;
import org.opendpm.api.agent.ImageReadResult;
import org.opendpm.api.agent.ImageWriteProgress;
import org.opendpm.api.agent.ImageWriteRequest;
import org.opendpm.api.agent.ImageWriteResult;
import org.opendpm.api.agent.ProgressListener;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.PartitionInfo;
import org.opendpm.image.Chunks;

import io.netty.buffer.ByteBuf;

/**
 * The image reads and writes of one agent, kept apart from the session's state machine: their receivers and senders,
 * the messages of the protocol that belong to them, and the data of reads given up that may still arrive.
 */
final class AgentImages {

    /** How many reads given up are remembered, so their late frames are dropped rather than a violation. */
    private static final int ABANDONED_REMEMBERED = 64;
    private static final long MIN_WINDOW = 16L << 20;

    private final AgentSession session;
    /** Reads by transfer id; event loop only. */
    private final Map<Long, ImageReceiver> receivers = new HashMap<>();
    /** Writes by request id; event loop only. */
    private final Map<Long, ImageSender> senders = new HashMap<>();
    /** Requests and transfers of reads given up whose frames may still arrive, the latest few; event loop only. */
    private final Set<Long> abandonedTransfers = new LinkedHashSet<>();
    private final Set<Long> abandonedRequests = new LinkedHashSet<>();
    /** The periodic stall check while image requests are open, else null; event loop only. */
    private ScheduledFuture<?> stallCheck;

    AgentImages(AgentSession session) {
        this.session = session;
    }

    /**
     * The window of an image read or write: two chunks at their worst, so the agent compresses (or writes) one while
     * the other crosses the link, and at least 16 MiB, so small chunks pipeline too.
     */
    static long window(int chunkSize) {
        return Math.max(MIN_WINDOW, 2L * (Chunks.maxStored(chunkSize) + Message.CHUNK_COST));
    }

    // ------------------------------------------------------------------ starting (any thread)

    CompletableFuture<ImageReadResult> read(ImageReadRequest request, ImageChunkSink sink, ProgressListener progress,
            Executor writers, Duration stall) {
        long chunks = new ChunkPlan(request.extents(), request.chunkSize(), 0).total();
        if (request.fromChunk() > chunks) {
            return CompletableFuture.failedFuture(new ValidationException("fromChunk", "the extents have " + chunks
                    + " chunks; the read cannot start at chunk " + request.fromChunk()));
        }
        long id = session.newId();
        long transferId = session.newTransferId();
        long window = window(request.chunkSize());
        ImageReceiver receiver = new ImageReceiver(id, transferId, request, window, sink, progress, writers,
                this::credit, session.describeAgent(), stall);
        // Registered on the event loop before the request goes out, so no frame of it can come first.
        if (!onLoop(() -> {
            if (session.isOpen()) {
                receivers.put(transferId, receiver);
                watch(stall);
            }
        })) {
            return CompletableFuture.failedFuture(new AgentUnavailableException("The agent link is stopping"));
        }
        List<Message.Extent> extents = request.extents().stream()
                .map(e -> new Message.Extent(e.disk(), e.offset(), e.length())).toList();
        CompletableFuture<Void> answered = session.request(new Message.ImageRead(id, transferId, extents,
                request.chunkSize(), request.compressionLevel(), request.fromChunk(), window), Message.ImageEnd.class,
                null, ProgressListener.NONE, a -> {
                    Message.ImageEnd e = (Message.ImageEnd) a;
                    receiver.ended(e.chunks(), e.storedBytes());
                    return null;
                });
        answered.whenComplete((v, t) -> {
            if (t != null && !answered.isCancelled()) {
                receiver.abandon(t);
            }
        });
        receiver.result().whenComplete((v, t) -> {
            if (t != null) {
                answered.cancel(true); // cancelled by the caller, a violation or the sink failed: the agent stops
            }
            onLoop(() -> forget(receiver));
        });
        return receiver.result();
    }

    CompletableFuture<ImageWriteResult> write(ImageWriteRequest request, ImageChunkSource source,
            ImageWriteProgress progress, Executor pumps, Duration stall) {
        long id = session.newId();
        long transferId = session.newTransferId();
        long window = window(request.chunkSize());
        ImageSender sender = new ImageSender(id, transferId, request, window, source, progress, pumps,
                session.channel(), session.describeAgent(), stall);
        if (!onLoop(() -> {
            if (session.isOpen()) {
                senders.put(id, sender);
                watch(stall);
            }
        })) {
            return CompletableFuture.failedFuture(new AgentUnavailableException("The agent link is stopping"));
        }
        List<Message.DiskGeometry> disks = request.disks().stream()
                .map(d -> new Message.DiskGeometry(d.number(), d.sizeBytes(), d.sectorSize())).toList();
        CompletableFuture<ImageWriteResult> answered = session.request(new Message.ImageWrite(id, transferId, disks,
                request.chunkSize(), request.fromChunk(), request.chunks(), request.compare(), window),
                Message.ImageWriteResult.class, null, ProgressListener.NONE, a -> {
                    Message.ImageWriteResult r = (Message.ImageWriteResult) a;
                    return sender.finished(new ImageWriteResult(r.chunks(), r.bytesWritten(), r.compared(),
                            r.mismatches().stream().map(m -> new ImageWriteResult.Mismatch(m.chunk(), m.disk(),
                                    m.diskOffset())).toList()));
                });
        answered.whenComplete((v, t) -> {
            if (t != null && !answered.isCancelled()) {
                sender.abandon(t);
            }
        });
        sender.result().whenComplete((v, t) -> {
            if (t != null) {
                answered.cancel(true);
            }
            onLoop(() -> {
                if (senders.remove(id, sender)) {
                    remember(abandonedRequests, id);
                }
            });
        });
        return sender.result();
    }

    // ------------------------------------------------------------------ from the agent (event loop)

    /** Hands a data frame to its image read; false when the transfer is not an image read's. */
    boolean data(long transferId, ByteBuf payload) {
        ImageReceiver r = receivers.get(transferId);
        if (r == null) {
            return abandonedTransfers.contains(transferId); // late data of a read given up is dropped
        }
        session.stats().add(LinkStats.Kind.STREAM_BYTES_RECEIVED, payload.readableBytes() - 8);
        r.data(payload.retainedSlice(payload.readerIndex() + 8, payload.readableBytes() - 8));
        return true;
    }

    /** Whether {@code m} is an event of an image request that agents send. */
    static boolean sentByAgents(Message m) {
        return m instanceof Message.ImageBegin || m instanceof Message.ImageChunk
                || m instanceof Message.ImageWriteReady || m instanceof Message.ImageWritten;
    }

    /** Handles an event of an image request; other messages are not its business. */
    void event(Message m) throws LinkViolation {
        if (m instanceof Message.ImageBegin b) {
            ImageReceiver r = receiver(b.id());
            if (r != null) {
                r.begin(b.disks().stream().map(d -> new ImageDisk(d.number(), d.sizeBytes(), d.sectorSize()))
                        .toList());
            }
        } else if (m instanceof Message.ImageChunk c) {
            ImageReceiver r = receiver(c.id());
            if (r != null) {
                r.chunk(new ImageChunk(c.chunk(), c.disk(), c.diskOffset(), c.length(), c.hole(), c.storedLength(),
                        c.crc32c(), HexFormat.of().parseHex(c.sha256()), null));
            }
        } else if (m instanceof Message.ImageWriteReady w) {
            ImageSender s = sender(w.id());
            if (s != null) {
                s.ready();
            }
        } else if (m instanceof Message.ImageWritten w) {
            ImageSender s = sender(w.id());
            if (s != null) {
                s.written(w.chunks(), w.bytes());
            }
        }
    }

    private ImageReceiver receiver(long id) throws LinkViolation {
        for (ImageReceiver r : receivers.values()) {
            if (r.id == id) {
                return r;
            }
        }
        if (abandonedRequests.contains(id) || session.requests().get(id) != null) {
            return null; // given up, or another request's: ignored as a late answer would be
        }
        throw new LinkViolation(LinkStats.Kind.OUT_OF_ORDER, "image message for request " + id
                + ", which is not an open image read");
    }

    private ImageSender sender(long id) throws LinkViolation {
        ImageSender s = senders.get(id);
        if (s == null && !abandonedRequests.contains(id)) {
            throw new LinkViolation(LinkStats.Kind.OUT_OF_ORDER, "image message for request " + id
                    + ", which is not an open image write");
        }
        return s;
    }

    /** The connection can take more: the writes waiting for it go on; event loop only. */
    void writable() {
        senders.values().forEach(ImageSender::pump);
    }

    /** The connection ended for {@code reason}: every image request fails at once; event loop only. */
    void abandonAll(String reason) {
        for (ImageReceiver r : receivers.values()) {
            r.abandon(session.unavailable(reason));
            r.discard();
        }
        receivers.clear();
        for (ImageSender s : senders.values()) {
            s.abandon(session.unavailable(reason));
        }
        senders.clear();
        if (stallCheck != null) {
            stallCheck.cancel(false);
            stallCheck = null;
        }
    }

    // ------------------------------------------------------------------ stalls (event loop)

    /**
     * Checks the open requests for an agent that owes data or confirmations and sends nothing, ten times per stall
     * time-out (at most once a second); runs only while requests are open, as most connections never have one.
     */
    private void watch(Duration stall) {
        if (stallCheck == null) {
            long period = Math.max(1000, stall.toMillis() / 10);
            stallCheck = session.channel().eventLoop().scheduleAtFixedRate(this::checkStalls, period, period,
                    TimeUnit.MILLISECONDS);
        }
    }

    private void checkStalls() {
        long now = System.nanoTime();
        for (ImageReceiver r : List.copyOf(receivers.values())) {
            r.checkStall(now);
        }
        for (ImageSender s : List.copyOf(senders.values())) {
            s.checkStall(now);
        }
        if (receivers.isEmpty() && senders.isEmpty() && stallCheck != null) {
            stallCheck.cancel(false);
            stallCheck = null;
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The bytes of a {@code diskArea} answer, which must be as many as were asked for. */
    static byte[] area(Message.DiskArea answer, int length) throws LinkViolation {
        byte[] data = answer.data();
        if (data.length != length) {
            throw new LinkViolation(LinkStats.Kind.BAD_MEMBER, "'diskArea' for request " + answer.id() + " has "
                    + data.length + " bytes; " + length + " were asked for");
        }
        return data;
    }

    /** Grants the agent {@code bytes} more of an image read; any thread. */
    private void credit(ImageReceiver r, long bytes) {
        onLoop(() -> {
            if (session.isOpen() && receivers.get(r.transferId) == r) {
                r.granted(bytes);
                session.channel().writeAndFlush(NettyFrames.control(new Message.StreamCredit(r.id, bytes)));
            }
        });
    }

    private void forget(ImageReceiver r) {
        r.discard();
        if (receivers.remove(r.transferId, r)) {
            remember(abandonedTransfers, r.transferId);
            remember(abandonedRequests, r.id);
        }
    }

    private static void remember(Set<Long> set, long value) {
        set.add(value);
        if (set.size() > ABANDONED_REMEMBERED) {
            set.remove(set.iterator().next());
        }
    }

    private boolean onLoop(Runnable task) {
        try {
            session.channel().eventLoop().execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** A disk of the agent's {@code disks} answer as the API has it. */
    static DiskInfo disk(Message.Disks.Disk d) {
        return new DiskInfo(d.number(), d.device(), d.sizeBytes(), d.partitionTable(), d.model(), d.partitions()
                .stream().map(p -> new PartitionInfo(p.number(), p.startBytes(), p.sizeBytes(), p.type(),
                        p.filesystem()))
                .toList());
    }
}
