package org.opendpm.transfer.internal;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.opendpm.agent.protocol.Message;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.agent.ProgressListener;
import org.opendpm.api.agent.StreamResult;
import org.opendpm.api.agent.StreamSink;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * The streams one agent sends to the server, kept apart from the session's state machine: their receivers by
 * transfer id, the credit granted to the agent, and the data of streams given up that may still arrive.
 */
final class AgentStreams {

    /** How many streams given up are remembered, so their late data is dropped rather than a violation. */
    private static final int ABANDONED_REMEMBERED = 64;

    private final AgentSession session;
    /** Streams from the agent by transfer id; event loop only. */
    private final Map<Long, StreamReceiver> streams = new HashMap<>();
    /** Streams given up whose data may still arrive, the latest few; event loop only. */
    private final Set<Long> abandonedTransfers = new LinkedHashSet<>();

    AgentStreams(AgentSession session) {
        this.session = session;
    }

    /**
     * Asks the agent to stream {@code source} into {@code sink}; completes once the agent's {@code streamEnd} matches
     * what the sink took. The agent may send {@link StreamReceiver#WINDOW} bytes ahead of what the sink has taken.
     */
    CompletableFuture<StreamResult> read(String source, Map<String, String> parameters, StreamSink sink,
            ProgressListener progress, Executor writers) {
        long id = session.newId();
        long transferId = session.newTransferId();
        StreamReceiver receiver = new StreamReceiver(id, transferId, sink, progress, writers, this::credit,
                session.describeAgent());
        try {
            // Registered on the event loop before the request goes out, so no data can come before it.
            session.channel().eventLoop().execute(() -> {
                if (session.isOpen()) {
                    streams.put(transferId, receiver);
                }
            });
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new AgentUnavailableException("The agent link is stopping"));
        }
        CompletableFuture<Void> answered = session.request(new Message.ReadStream(id, transferId, source, parameters,
                StreamReceiver.WINDOW), Message.StreamEnd.class, null, progress, a -> {
                    receiver.ended((Message.StreamEnd) a);
                    return null;
                });
        answered.whenComplete((v, t) -> {
            if (t != null && !answered.isCancelled()) {
                receiver.abandon(t);
            }
        });
        receiver.result().whenComplete((v, t) -> {
            if (t != null) {
                answered.cancel(true); // cancelled by the caller or the sink failed: the agent stops
            }
            forget(receiver);
        });
        return receiver.result();
    }

    /** Hands a data frame of the agent to its stream; event loop only. */
    void data(long transferId, ByteBuf payload) throws LinkViolation {
        StreamReceiver r = streams.get(transferId);
        if (r == null) {
            if (abandonedTransfers.contains(transferId)) {
                return; // data of a stream given up, still on its way
            }
            throw new LinkViolation(LinkStats.Kind.UNKNOWN_TRANSFER, "data frame for transfer "
                    + Long.toUnsignedString(transferId) + ", which is not open");
        }
        session.stats().add(LinkStats.Kind.STREAM_BYTES_RECEIVED, payload.readableBytes() - 8);
        r.data(payload.retainedSlice(payload.readerIndex() + 8, payload.readableBytes() - 8));
    }

    /** Grants the agent {@code bytes} more of the stream; any thread. */
    private void credit(StreamReceiver r, long bytes) {
        Channel channel = session.channel();
        try {
            channel.eventLoop().execute(() -> {
                if (session.isOpen() && streams.get(r.transferId) == r) {
                    channel.writeAndFlush(NettyFrames.control(new Message.StreamCredit(r.id, bytes)));
                }
            });
        } catch (RejectedExecutionException e) {
            // the link is stopping
        }
    }

    private void forget(StreamReceiver r) {
        try {
            session.channel().eventLoop().execute(() -> {
                if (streams.remove(r.transferId, r)) {
                    abandonedTransfers.add(r.transferId);
                    if (abandonedTransfers.size() > ABANDONED_REMEMBERED) {
                        abandonedTransfers.remove(abandonedTransfers.iterator().next());
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // the link is stopping
        }
    }

    /** The caller cancelled request {@code id}: its stream, if it is one, stops; event loop only. */
    void cancelled(long id, CancellationException cancelled) {
        StreamReceiver r = ofRequest(id);
        if (r != null) {
            r.abandon(cancelled);
        }
    }

    /** The stream request {@code id} asked for, or {@code null}; event loop only. */
    StreamReceiver ofRequest(long id) {
        for (StreamReceiver r : streams.values()) {
            if (r.id == id) {
                return r;
            }
        }
        return null;
    }

    /** Gives up the streams that took nothing for {@link AgentSession#STALL}; event loop only. */
    void abandonStalled(long now) {
        for (StreamReceiver r : List.copyOf(streams.values())) {
            if (r.stalled(now, AgentSession.STALL.toNanos())) {
                r.abandon(new AgentUnavailableException("The stream from the agent of " + session.describeAgent()
                        + " made no progress for " + AgentSession.STALL.toSeconds() + " s"));
            }
        }
    }

    /** The connection ended for {@code reason}: every stream fails; event loop only. */
    void abandonAll(String reason) {
        for (StreamReceiver r : streams.values()) {
            r.abandon(session.unavailable(reason));
        }
        streams.clear();
    }
}
