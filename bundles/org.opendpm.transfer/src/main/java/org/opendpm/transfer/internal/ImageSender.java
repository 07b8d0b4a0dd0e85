package org.opendpm.transfer.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;

import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.ImageChunk;
import org.opendpm.api.agent.ImageChunkSource;
import org.opendpm.api.agent.ImageDisk;
import org.opendpm.api.agent.ImageWriteProgress;
import org.opendpm.api.agent.ImageWriteRequest;
import org.opendpm.api.agent.ImageWriteResult;
import org.opendpm.image.Chunks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * One image write ({@code imageWrite}) to an agent from the caller's source. Once the agent is ready, one task at a
 * time of the pump executor takes chunks from the source and writes each one's {@code imageChunk} and data frames,
 * while the stored bytes plus {@link Message#CHUNK_COST} of every chunk sent but not yet confirmed stay within the
 * window and the connection is writable; a confirmation or the connection becoming writable again starts the next
 * task. After the source's last chunk it sends {@code imageWriteEnd}; the agent's {@code imageWriteResult} completes
 * the write.
 */
final class ImageSender {

    // The session's category, so one logger setting covers everything about a connection.
    private static final Logger LOG = LoggerFactory.getLogger(AgentSession.class);

    final long id;
    final long transferId;
    private final ImageWriteRequest request;
    private final Set<Integer> disks;
    private final int maxStored;
    private final long window;
    private final ImageChunkSource source;
    private final ImageWriteProgress progress;
    private final Executor pumps;
    private final Channel channel;
    private final String agent;
    private final Duration stall;
    private final CompletableFuture<ImageWriteResult> result = new CompletableFuture<>();

    // Guarded by this.
    private boolean ready;
    private boolean pumping;
    private boolean endSent;
    /** A chunk taken from the source that did not fit the window yet; its buffer stays valid until the next call. */
    private ImageChunk held;
    private long sent;
    private long unconfirmed;
    /** Number and cost of each chunk sent and not yet confirmed, in order. */
    private final ArrayDeque<long[]> inFlight = new ArrayDeque<>();
    private long confirmed;
    /** When the agent last answered, or got work after having none: the stall clock. */
    private long lastHeard;

    ImageSender(long id, long transferId, ImageWriteRequest request, long window, ImageChunkSource source,
            ImageWriteProgress progress, Executor pumps, Channel channel, String agent, Duration stall) {
        this.id = id;
        this.transferId = transferId;
        this.request = request;
        this.disks = request.disks().stream().map(ImageDisk::number).collect(Collectors.toUnmodifiableSet());
        this.maxStored = Chunks.maxStored(request.chunkSize());
        this.window = window;
        this.source = source;
        this.progress = progress;
        this.pumps = pumps;
        this.channel = channel;
        this.agent = agent;
        this.stall = stall;
        this.confirmed = request.fromChunk();
        this.lastHeard = System.nanoTime();
    }

    CompletableFuture<ImageWriteResult> result() {
        return result;
    }

    // ------------------------------------------------------------------ from the agent (event loop)

    /** The agent's {@code imageWriteReady}: the disks are open. */
    void ready() {
        synchronized (this) {
            if (ready) {
                fail("a second 'imageWriteReady'");
                return;
            }
            ready = true;
            lastHeard = System.nanoTime();
        }
        pump();
    }

    /** The agent's {@code imageWritten}: every chunk below {@code chunks} is written. */
    void written(long chunks, long bytes) {
        synchronized (this) {
            if (result.isDone()) {
                return;
            }
            if (chunks < confirmed || chunks > request.fromChunk() + sent) {
                fail("the agent confirms chunks below " + chunks + ", but " + confirmed + " were confirmed and "
                        + (request.fromChunk() + sent) + " sent");
                return;
            }
            while (!inFlight.isEmpty() && inFlight.peek()[0] < chunks) {
                unconfirmed -= inFlight.poll()[1];
            }
            confirmed = chunks;
            lastHeard = System.nanoTime();
        }
        try {
            progress.confirmed(chunks, bytes);
        } catch (RuntimeException x) {
            LOG.warn("Image write progress {} failed: {}", progress.getClass().getName(), x.toString());
        }
        pump();
    }

    /** The agent's {@code imageWriteResult}, the answer; event loop. */
    ImageWriteResult finished(ImageWriteResult r) {
        synchronized (this) {
            if (!endSent) {
                fail("the agent answered 'imageWriteResult' before the last chunk was sent");
            } else if (r.chunks() != sent) {
                fail("the agent reports " + r.chunks() + " chunks written, " + sent + " were sent");
            } else {
                result.complete(r);
            }
        }
        return r;
    }

    // ------------------------------------------------------------------ to the agent (pump task)

    /** Starts a pump task unless one runs, the agent is not ready or the write is over; any thread. */
    void pump() {
        synchronized (this) {
            if (pumping || !ready || endSent || result.isDone()) {
                return;
            }
            pumping = true;
        }
        try {
            pumps.execute(this::run);
        } catch (RejectedExecutionException e) {
            abandon(new AgentRequestException("The agent link is stopping"));
        }
    }

    private void run() {
        try {
            while (true) {
                ImageChunk c;
                synchronized (this) {
                    if (result.isDone()) {
                        pumping = false;
                        return;
                    }
                    c = held;
                }
                if (c == null) {
                    c = source.next();
                    if (c == null) {
                        sendEnd();
                        return;
                    }
                    check(c);
                }
                long cost = c.storedLength() + Message.CHUNK_COST;
                synchronized (this) {
                    if (result.isDone() || unconfirmed > 0 && unconfirmed + cost > window
                            || !channel.isWritable()) {
                        // A confirmation or writability starts the next task.
                        held = c;
                        pumping = false;
                        return;
                    }
                    held = null;
                    if (inFlight.isEmpty()) {
                        lastHeard = System.nanoTime(); // the agent had nothing to confirm until now
                    }
                    unconfirmed += cost;
                    inFlight.add(new long[]{ c.number(), cost });
                    sent++;
                }
                send(c);
            }
        } catch (IOException | RuntimeException e) {
            LOG.info("Image write {} to the agent of {}: the image source failed: {}", id, agent, e.toString());
            abandon(new AgentRequestException("The image source of the write to the agent of " + agent + " failed: "
                    + e.getMessage()));
            synchronized (this) {
                pumping = false;
            }
        }
    }

    /** A chunk from the source must be the next one and well-formed: the agent would refuse it anyway. */
    private void check(ImageChunk c) {
        long expected = request.fromChunk() + sent;
        String place = "chunk " + c.number() + " (disk " + c.disk() + ", offset " + c.diskOffset() + ")";
        if (c.number() != expected || c.number() >= request.chunks()) {
            throw new IllegalStateException(place + " is not chunk " + expected + " of " + request.chunks());
        }
        int stored = c.stored() == null ? 0 : c.stored().remaining();
        if (!disks.contains(c.disk()) || c.length() < 1 || c.length() > request.chunkSize()
                || c.hole() != (c.storedLength() == 0) || c.storedLength() != stored || stored > maxStored) {
            throw new IllegalStateException(place + " is malformed: disk not in the request, length " + c.length()
                    + ", hole " + c.hole() + ", stored length " + c.storedLength() + " with " + stored
                    + " stored bytes");
        }
    }

    private void send(ImageChunk c) {
        Channel ch = channel;
        ch.write(NettyFrames.control(new Message.ImageChunk(id, c.number(), c.disk(), c.diskOffset(), c.length(),
                c.hole(), c.storedLength(), c.crc32c(), HexFormat.of().formatHex(c.sha256()))));
        if (!c.hole()) {
            ByteBuffer stored = c.stored().duplicate();
            while (stored.hasRemaining()) {
                int n = Math.min(FrameCodec.MAX_CHUNK, stored.remaining());
                ByteBuf b = ch.alloc().buffer(n);
                // Copied: the source may reuse its buffer once the next chunk is asked for.
                b.writeBytes(stored.slice(stored.position(), n));
                stored.position(stored.position() + n);
                ch.write(NettyFrames.data(ch.alloc(), transferId, b));
            }
        }
        ch.flush();
    }

    private void sendEnd() {
        synchronized (this) {
            long expected = request.chunks() - request.fromChunk();
            if (sent != expected) {
                pumping = false;
                fail("the image source ended after " + sent + " chunks; " + expected + " were to be written");
                return;
            }
            endSent = true;
            pumping = false;
        }
        channel.writeAndFlush(NettyFrames.control(new Message.ImageWriteEnd(id)));
    }

    /**
     * Fails the write when the agent owes an answer and has sent none for the stall time-out: its readiness, or the
     * confirmation of a chunk sent. Waiting for the source (the server's disk) does not count, nor does the final
     * flush and compare after the last confirmation, which reads the whole disk. Event loop.
     */
    void checkStall(long now) {
        String fault;
        synchronized (this) {
            if (result.isDone()) {
                return;
            }
            if (ready && inFlight.isEmpty()) {
                lastHeard = now;
                return;
            }
            if (now - lastHeard < stall.toNanos()) {
                return;
            }
            fault = "the agent " + (ready
                    ? "confirmed no chunk for " + stall.toSeconds() + " s (chunks below " + confirmed
                            + " confirmed, " + (request.fromChunk() + sent) + " sent)"
                    : "did not open its disks for " + stall.toSeconds() + " s") + ": its disk may hang";
        }
        fail(fault);
    }

    // ------------------------------------------------------------------ failing

    private void fail(String fault) {
        LOG.info("Image write {} to the agent of {} failed: {}", id, agent, fault);
        abandon(new AgentRequestException("The image write to the agent of " + agent + " failed: " + fault));
    }

    /** The write failed or was given up: nothing more is sent. Any thread. */
    void abandon(Throwable why) {
        result.completeExceptionally(why);
    }
}
