package org.opendpm.transfer.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.zip.CRC32C;

import org.opendpm.agent.protocol.Message;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.ImageChunk;
import org.opendpm.api.agent.ImageChunkSink;
import org.opendpm.api.agent.ImageDisk;
import org.opendpm.api.agent.ImageExtent;
import org.opendpm.api.agent.ImageReadRequest;
import org.opendpm.api.agent.ImageReadResult;
import org.opendpm.api.agent.ProgressListener;
import org.opendpm.image.Chunks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;

/**
 * One image read ({@code imageRead}) from an agent into the caller's sink. Every rule of the protocol is checked on
 * the event loop as frames arrive (chunk numbers, each chunk's place as the extents imply, holes, stored lengths, data
 * frames summing exactly to the stored length, credit); a whole chunk is then queued, and one task at a time of the
 * writer executor copies it into the one reused buffer, checks its CRC-32C and only then hands it to the sink. Each
 * chunk the sink took is granted back to the agent as credit, so at most one window waits here.
 *
 * <p>A violation fails the request with a message naming the chunk, its disk and offset and the fault; the link then
 * cancels the request. An agent exceeding its credit also loses its connection, as for a stream.
 */
final class ImageReceiver {

    // The session's category, so one logger setting covers everything about a connection.
    private static final Logger LOG = LoggerFactory.getLogger(AgentSession.class);

    /** Sends a credit to the agent; called on the writer thread. */
    interface Credit {
        void grant(ImageReceiver receiver, long bytes);
    }

    /** What waits for the sink, in order. */
    private sealed interface Item {
    }

    private record Begin(List<ImageDisk> disks) implements Item {
    }

    private record Chunk(ImageChunk header, List<ByteBuf> data) implements Item {
    }

    private record End() implements Item {
    }

    final long id;
    final long transferId;
    private final List<ImageExtent> extents;
    private final int maxStored;
    private final long window;
    private final long totalBytes;
    private final ImageChunkSink sink;
    private final ProgressListener progress;
    private final Executor writers;
    private final Credit credit;
    private final String agent;
    private final Duration stall;
    private final CompletableFuture<ImageReadResult> result = new CompletableFuture<>();

    // Event loop only.
    private final ChunkPlan plan;
    private boolean begun;
    private boolean ended;
    /** The chunk whose data frames are arriving, or null. */
    private Chunk filling;
    private int filled;
    /** The last chunk announced, for naming it when data follows where none may. */
    private ImageChunk last;
    private long outstanding;
    /** When the agent last sent something or got credit to: the stall clock. */
    private long lastHeard;
    private long receivedChunks;
    private long receivedStored;

    // Guarded by this.
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private boolean writing;

    // Writer task only.
    private ByteBuffer buffer;
    private final CRC32C crc = new CRC32C();
    private long taken;
    private long takenStored;
    private long takenBytes;

    ImageReceiver(long id, long transferId, ImageReadRequest request, long window, ImageChunkSink sink,
            ProgressListener progress, Executor writers, Credit credit, String agent, Duration stall) {
        this.id = id;
        this.transferId = transferId;
        this.extents = request.extents();
        this.maxStored = Chunks.maxStored(request.chunkSize());
        this.window = window;
        this.plan = new ChunkPlan(request.extents(), request.chunkSize(), request.fromChunk());
        this.totalBytes = plan.bytesFromStart();
        this.sink = sink;
        this.progress = progress;
        this.writers = writers;
        this.credit = credit;
        this.agent = agent;
        this.stall = stall;
        this.lastHeard = System.nanoTime();
    }

    CompletableFuture<ImageReadResult> result() {
        return result;
    }

    // ------------------------------------------------------------------ from the agent (event loop)

    /** The agent's {@code imageBegin}: each disk the extents name, once, in order of first appearance. */
    void begin(List<ImageDisk> disks) {
        lastHeard = System.nanoTime();
        if (result.isDone()) {
            return;
        }
        if (begun) {
            fail("a second 'imageBegin'");
            return;
        }
        begun = true;
        List<Integer> named = new ArrayList<>(new LinkedHashSet<>(extents.stream().map(ImageExtent::disk).toList()));
        List<Integer> listed = disks.stream().map(ImageDisk::number).toList();
        if (!listed.equals(named)) {
            fail("the agent describes disks " + listed + ", the extents name disks " + named);
            return;
        }
        for (ImageExtent e : extents) {
            ImageDisk d = disks.get(named.indexOf(e.disk()));
            if (d.sectorSize() < 1 || e.offset() + e.length() > d.sizeBytes()) {
                fail("extent at offset " + e.offset() + " of " + e.length() + " bytes lies outside disk " + d.number()
                        + " of " + d.sizeBytes() + " bytes");
                return;
            }
        }
        enqueue(new Begin(List.copyOf(disks)));
    }

    /** The agent's {@code imageChunk}: the header of the next chunk, its data frames to follow. */
    void chunk(ImageChunk c) throws LinkViolation {
        lastHeard = System.nanoTime();
        if (result.isDone()) {
            return;
        }
        if (!dataComplete()) {
            return;
        }
        if (!begun) {
            fail("chunk " + c.number() + " before 'imageBegin'");
            return;
        }
        String place = "chunk " + c.number() + " (disk " + c.disk() + ", offset " + c.diskOffset() + "): ";
        if (plan.done()) {
            fail(place + "the extents have only " + plan.total() + " chunks");
            return;
        }
        if (c.number() != plan.next()) {
            fail(place + "expected chunk " + plan.next() + " next");
            return;
        }
        if (c.disk() != plan.disk() || c.diskOffset() != plan.diskOffset() || c.length() != plan.length()) {
            fail(place + "length " + c.length() + ", but the extents put chunk " + c.number() + " on disk "
                    + plan.disk() + " at offset " + plan.diskOffset() + " with length " + plan.length());
            return;
        }
        // The codec has refused a hole with stored bytes, CRC or SHA-256, and an empty chunk that is not a hole. The
        // stored length is bounded here as well, against the chunk size, because the reused buffer is that large.
        if (c.storedLength() > maxStored) {
            fail(place + "stored length " + c.storedLength() + " exceeds the largest possible, " + maxStored);
            return;
        }
        outstanding += c.storedLength() + Message.CHUNK_COST;
        if (outstanding > window) {
            String fault = place + "sent beyond its credit (" + outstanding + " bytes outstanding, window " + window
                    + ")";
            fail(fault);
            throw new LinkViolation(LinkStats.Kind.OUT_OF_ORDER, "image read " + id + ": " + fault);
        }
        plan.advance();
        last = c;
        receivedChunks++;
        receivedStored += c.storedLength();
        Chunk item = new Chunk(c, new ArrayList<>());
        if (c.hole()) {
            enqueue(item);
        } else {
            filling = item;
            filled = 0;
        }
    }

    /** A data frame of the transfer, which this takes over. */
    void data(ByteBuf frame) {
        lastHeard = System.nanoTime();
        if (result.isDone()) {
            frame.release();
            discard();
            return;
        }
        int n = frame.readableBytes();
        if (filling == null) {
            frame.release();
            fail(last == null
                    ? "data before the first chunk"
                    : "chunk " + last.number() + " (disk " + last.disk() + ", offset " + last.diskOffset() + "): "
                            + (last.hole()
                                    ? "data after a hole"
                                    : "more than its " + last.storedLength()
                                            + " stored bytes"));
            return;
        }
        ImageChunk c = filling.header();
        if (filled + (long) n > c.storedLength()) {
            frame.release();
            fail("chunk " + c.number() + " (disk " + c.disk() + ", offset " + c.diskOffset() + "): more than its "
                    + c.storedLength() + " stored bytes");
            return;
        }
        filling.data().add(frame);
        filled += n;
        if (filled == c.storedLength()) {
            Chunk done = filling;
            filling = null;
            enqueue(done);
        }
    }

    /** The agent's {@code imageEnd}; the result follows once the sink has taken every chunk. */
    void ended(long chunks, long storedBytes) {
        lastHeard = System.nanoTime();
        if (result.isDone() || !dataComplete()) {
            return;
        }
        if (ended || !begun) {
            fail("'imageEnd' " + (ended ? "twice" : "before 'imageBegin'"));
        } else if (!plan.done()) {
            fail("the agent ended before chunk " + plan.next() + "; the extents have " + plan.total() + " chunks");
        } else if (chunks != receivedChunks || storedBytes != receivedStored) {
            fail("the agent reports " + chunks + " chunks of " + storedBytes + " stored bytes, but " + receivedChunks
                    + " chunks of " + receivedStored + " stored bytes arrived");
        } else {
            ended = true;
            enqueue(new End());
        }
    }

    /** The agent took back {@code bytes} of credit granted; event loop only. */
    void granted(long bytes) {
        outstanding -= bytes;
        lastHeard = System.nanoTime();
    }

    /**
     * Fails the read when the agent owes data and has sent none for the stall time-out: it has credit for any chunk
     * (else it rightly waits for the server's disk), or a chunk's data is incomplete. Event loop only.
     */
    void checkStall(long now) {
        if (result.isDone()) {
            return;
        }
        if (filling == null && outstanding + maxStored + Message.CHUNK_COST > window) {
            lastHeard = now;
            return;
        }
        if (now - lastHeard >= stall.toNanos()) {
            fail("nothing arrived from the agent for " + stall.toSeconds() + " s though it could send ("
                    + (last == null ? "no chunk yet" : "after chunk " + last.number() + " of " + plan.total())
                    + "): its disk read may hang");
        }
    }

    /** Whether the previous chunk's data is complete; fails the read if not. */
    private boolean dataComplete() {
        if (filling == null) {
            return true;
        }
        ImageChunk c = filling.header();
        fail("chunk " + c.number() + " (disk " + c.disk() + ", offset " + c.diskOffset() + "): only " + filled
                + " of its " + c.storedLength() + " stored bytes arrived before the next message");
        return false;
    }

    // ------------------------------------------------------------------ failing

    private void fail(String fault) {
        LOG.info("Image read {} from the agent of {} failed: {}", id, agent, fault);
        abandon(new AgentRequestException("The image read from the agent of " + agent + " failed: " + fault));
    }

    /** The read failed or was given up: drop what waits. Any thread. */
    void abandon(Throwable why) {
        result.completeExceptionally(why);
        synchronized (this) {
            for (Item i : queue) {
                if (i instanceof Chunk c) {
                    c.data().forEach(ByteBuf::release);
                }
            }
            queue.clear();
        }
    }

    /** Releases the data of a chunk still arriving; event loop only, once the read is over. */
    void discard() {
        if (filling != null) {
            filling.data().forEach(ByteBuf::release);
            filling = null;
        }
    }

    // ------------------------------------------------------------------ to the sink (writer task)

    private void enqueue(Item item) {
        synchronized (this) {
            if (result.isDone()) {
                if (item instanceof Chunk c) {
                    c.data().forEach(ByteBuf::release);
                }
                return;
            }
            queue.add(item);
            if (writing) {
                return;
            }
            writing = true;
        }
        try {
            writers.execute(this::drain);
        } catch (RejectedExecutionException e) {
            abandon(new AgentRequestException("The agent link is stopping"));
        }
    }

    private void drain() {
        while (true) {
            Item item;
            synchronized (this) {
                item = result.isDone() ? null : queue.poll();
                if (item == null) {
                    writing = false;
                    return;
                }
            }
            try {
                if (item instanceof Begin b) {
                    sink.begin(b.disks());
                } else if (item instanceof Chunk c) {
                    take(c);
                } else {
                    result.complete(new ImageReadResult(taken, takenStored));
                }
            } catch (IOException | RuntimeException x) {
                LOG.info("Image read {} from the agent of {}: the sink failed: {}", id, agent, x.toString());
                abandon(new AgentRequestException("The sink of the image read from the agent of " + agent
                        + " failed: " + x.getMessage()));
            }
        }
    }

    /** Checks a whole chunk's CRC-32C and hands it to the sink; a bad one fails the read. */
    private void take(Chunk item) throws IOException {
        ImageChunk h = item.header();
        ByteBuffer stored = null;
        if (!h.hole()) {
            try {
                stored = assemble(item.data(), h.storedLength());
            } finally {
                item.data().forEach(ByteBuf::release);
            }
            crc.reset();
            crc.update(stored.duplicate());
            int actual = (int) crc.getValue();
            if (actual != h.crc32c()) {
                fail("chunk " + h.number() + " (disk " + h.disk() + ", offset " + h.diskOffset() + "): CRC-32C "
                        + Integer.toUnsignedString(actual, 16) + " of its stored bytes, the agent reports "
                        + Integer.toUnsignedString(h.crc32c(), 16));
                return;
            }
        }
        sink.accept(new ImageChunk(h.number(), h.disk(), h.diskOffset(), h.length(), h.hole(), h.storedLength(),
                h.crc32c(), h.sha256(), stored));
        taken++;
        takenStored += h.storedLength();
        takenBytes += h.length();
        credit.grant(this, h.storedLength() + Message.CHUNK_COST);
        try {
            progress.progress(takenBytes, totalBytes, "bytes");
        } catch (RuntimeException x) {
            LOG.warn("Progress listener {} failed: {}", progress.getClass().getName(), x.toString());
        }
    }

    /** The chunk's data frames copied into the one reused buffer, position 0 to its stored length. */
    private ByteBuffer assemble(List<ByteBuf> data, int storedLength) {
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(maxStored);
        }
        buffer.clear();
        for (ByteBuf b : data) {
            int n = b.readableBytes();
            ByteBuffer dst = buffer.duplicate();
            dst.limit(buffer.position() + n);
            b.getBytes(b.readerIndex(), dst);
            buffer.position(buffer.position() + n);
        }
        return buffer.flip().limit(storedLength);
    }
}
