package org.opendpm.transfer.internal;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.ProgressListener;
import org.opendpm.api.agent.StreamResult;
import org.opendpm.api.agent.StreamSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;

/**
 * One stream from an agent ({@code readStream}) into the caller's sink, with credit-based flow control: the agent may
 * send {@link #WINDOW} bytes before its first credit, and each chunk the sink has taken is granted again. So at most
 * one window waits here, whatever the sink's speed, and the agent never has more to hold than its next chunk.
 *
 * <p>Chunks arrive on the event loop ({@link #data}); one task at a time of the writer executor hands them to the
 * sink, which may block, in order, and hashes them.
 */
final class StreamReceiver {

    private static final Logger LOG = LoggerFactory.getLogger(StreamReceiver.class);
    /** Bytes the agent may have in flight: 16 chunks. */
    static final long WINDOW = 16L * FrameCodec.MAX_CHUNK;

    /** Sends a credit to the agent. */
    interface Credit {
        void grant(StreamReceiver stream, long bytes);
    }

    final long id;
    final long transferId;
    private final StreamSink sink;
    private final ProgressListener progress;
    private final Executor writers;
    private final Credit credit;
    private final String agent;
    private final CompletableFuture<StreamResult> result = new CompletableFuture<>();
    private final MessageDigest digest;

    // Event loop only.
    private long received;
    private long lastData = System.nanoTime();

    // Guarded by this.
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    private boolean writing;
    private Message.StreamEnd end;
    private long size = -1;

    // Written by the writer task, guarded by this.
    private long written;

    StreamReceiver(long id, long transferId, StreamSink sink, ProgressListener progress, Executor writers,
            Credit credit, String agent) {
        this.id = id;
        this.transferId = transferId;
        this.sink = sink;
        this.progress = progress;
        this.writers = writers;
        this.credit = credit;
        this.agent = agent;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    CompletableFuture<StreamResult> result() {
        return result;
    }

    synchronized void begin(long announcedSize) {
        size = announcedSize;
    }

    /** A chunk from the agent, which this takes over; event loop only. */
    void data(ByteBuf chunk) throws LinkViolation {
        received += chunk.readableBytes();
        lastData = System.nanoTime();
        if (result.isDone()) {
            chunk.release();
            return;
        }
        synchronized (this) {
            if (received - written > WINDOW + FrameCodec.MAX_CHUNK) {
                chunk.release();
                throw new LinkViolation(LinkStats.Kind.OUT_OF_ORDER, "stream " + transferId + " sent more than its "
                        + "credit (" + (received - written) + " bytes not yet taken by its sink)");
            }
            queue.add(chunk);
        }
        schedule();
    }

    /** The agent's {@code streamEnd}; the result follows once the sink has taken everything before it. */
    void ended(Message.StreamEnd e) {
        synchronized (this) {
            end = e;
        }
        schedule();
    }

    /** The stream failed or was given up: drop what waits. */
    void abandon(Throwable why) {
        result.completeExceptionally(why);
        synchronized (this) {
            queue.forEach(ByteBuf::release);
            queue.clear();
        }
    }

    /** No data for {@code nanos} while the agent had credit to send; event loop only. */
    synchronized boolean stalled(long now, long nanos) {
        return !result.isDone() && end == null && queue.isEmpty() && now - lastData > nanos;
    }

    private void schedule() {
        synchronized (this) {
            if (writing || result.isDone()) {
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
            ByteBuf chunk;
            Message.StreamEnd e;
            long total;
            synchronized (this) {
                chunk = queue.poll();
                e = end;
                total = size;
                if (chunk == null && (e == null || result.isDone())) {
                    writing = false;
                    return;
                }
            }
            if (chunk == null) {
                finish(e);
                synchronized (this) {
                    writing = false;
                }
                return;
            }
            int n = chunk.readableBytes();
            try {
                digest.update(chunk.nioBuffer());
                sink.write(chunk.nioBuffer());
            } catch (IOException | RuntimeException x) {
                LOG.info("Stream {} from the agent of {}: the sink failed: {}", transferId, agent, x.toString());
                abandon(new AgentRequestException("The sink of the stream from the agent of " + agent
                        + " failed: " + x.getMessage()));
                // The caller's future failed: the session tells the agent to stop.
                return;
            } finally {
                chunk.release();
            }
            synchronized (this) {
                written += n;
            }
            credit.grant(this, n);
            try {
                progress.progress(written, total, "bytes");
            } catch (RuntimeException x) {
                LOG.warn("Progress listener {} failed: {}", progress.getClass().getName(), x.toString());
            }
        }
    }

    private void finish(Message.StreamEnd e) {
        String sha = HexFormat.of().formatHex(digest.digest());
        if (e.bytes() != written) {
            result.completeExceptionally(new AgentRequestException("The agent of " + agent + " reports " + e.bytes()
                    + " bytes streamed, but " + written + " arrived"));
        } else if (!e.sha256().equalsIgnoreCase(sha)) {
            result.completeExceptionally(new AgentRequestException("The stream from the agent of " + agent
                    + " arrived damaged: SHA-256 " + sha + ", the agent reports " + e.sha256()));
        } else {
            result.complete(new StreamResult(written, sha));
        }
    }
}
