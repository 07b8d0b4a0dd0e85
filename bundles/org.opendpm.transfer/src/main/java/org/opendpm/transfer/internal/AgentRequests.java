package org.opendpm.transfer.internal;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.opendpm.agent.protocol.Message;
import org.opendpm.agent.protocol.MessageCodec;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.agent.ProgressListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.Channel;

/**
 * The requests sent to one agent and not answered yet, kept apart from the session's state machine: their ids,
 * timeouts, answers, progress and cancellation. Requests may be started and cancelled from any thread; answers
 * arrive on the event loop.
 */
final class AgentRequests {

    // The session's category, so one logger setting covers everything about a connection.
    private static final Logger LOG = LoggerFactory.getLogger(AgentSession.class);

    private final AgentSession session;
    private final Map<Long, Pending<?>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);

    AgentRequests(AgentSession session) {
        this.session = session;
    }

    /** A new request id. */
    long newId() {
        return nextId.getAndIncrement();
    }

    /** The open request {@code id}, or {@code null}. */
    Pending<?> get(long id) {
        return pending.get(id);
    }

    /**
     * Sends a request and completes with the reader's view of its answer. {@code timeout} starts when the request is
     * written; {@code null} leaves the clock to the caller ({@link #armTimeout}). Cancelling the future sends
     * {@code cancel} for the request.
     */
    <T> CompletableFuture<T> send(Message.Request message, Class<? extends Message.Answer> answerType,
            Duration timeout, ProgressListener progress, Pending.Reader<T> reader) {
        Pending<T> p = new Pending<>(message.id(), MessageCodec.type(message), answerType, reader, progress);
        pending.put(p.id, p);
        if (!session.isOpen()) {
            // The connection ended between the caller finding the session and now.
            String reason = session.closeReason();
            failPending(p, reason == null ? "connection closed" : reason);
            return p.future;
        }
        p.future.whenComplete((v, t) -> {
            if (p.future.isCancelled()) {
                cancelled(p);
            }
        });
        Channel channel = session.channel();
        try {
            channel.eventLoop().execute(() -> {
                if (!session.isOpen() || p.future.isDone()) {
                    return;
                }
                session.stats().add(LinkStats.Kind.REQUESTS_SENT);
                p.sent = true;
                channel.writeAndFlush(NettyFrames.control(message));
                if (timeout != null) {
                    armTimeout(p, timeout);
                }
            });
        } catch (RejectedExecutionException e) {
            failPending(p, "the agent link is stopping");
        }
        return p.future;
    }

    /** The caller cancelled the request: forget it and tell the agent to stop, if it was sent. */
    private void cancelled(Pending<?> p) {
        if (!pending.remove(p.id, p)) {
            return;
        }
        p.cancelTimeout();
        Channel channel = session.channel();
        try {
            channel.eventLoop().execute(() -> {
                if (!session.isOpen() || !p.sent) {
                    return;
                }
                session.stats().add(LinkStats.Kind.REQUESTS_CANCELLED);
                channel.writeAndFlush(NettyFrames.control(new Message.Cancel(p.id)));
                session.requestCancelled(p.id, new CancellationException("cancelled"));
            });
        } catch (RejectedExecutionException e) {
            // the link is stopping: the connection closes anyway
        }
    }

    /** Starts the clock of an open request; event loop only. */
    void armTimeout(Pending<?> p, Duration timeout) {
        p.timeout = session.channel().eventLoop().schedule(() -> {
            if (pending.remove(p.id, p)) {
                session.stats().add(LinkStats.Kind.REQUESTS_TIMED_OUT);
                p.fail(new AgentUnavailableException("The agent of " + session.describeAgent() + " did not answer '"
                        + p.requestType + "' within " + timeout.toSeconds() + " s"));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Fails the open request {@code id}, if it still is. */
    void fail(long id, Exception e) {
        Pending<?> p = pending.remove(id);
        if (p != null) {
            p.cancelTimeout();
            p.fail(e);
        }
    }

    private void failPending(Pending<?> p, String reason) {
        if (pending.remove(p.id, p)) {
            p.fail(session.unavailable(reason));
        }
    }

    /** The connection ended: every open request fails. */
    void failAll(String reason) {
        for (Iterator<Pending<?>> it = pending.values().iterator(); it.hasNext();) {
            Pending<?> p = it.next();
            it.remove();
            p.cancelTimeout();
            p.fail(session.unavailable(reason));
        }
    }

    /** Passes the agent's progress of a request on; {@code ownCount} when the server counts it itself. */
    void progress(Message.Progress p, boolean ownCount) {
        Pending<?> open = pending.get(p.id());
        if (open != null && !ownCount) {
            tell(open.progress, p.done(), p.total(), p.unit());
        }
    }

    private static void tell(ProgressListener listener, long done, long total, String unit) {
        try {
            listener.progress(done, total, unit);
        } catch (RuntimeException e) {
            LOG.warn("Progress listener {} failed: {}", listener.getClass().getName(), e.toString());
        }
    }

    /** Completes or fails the request an answer is for; event loop only. */
    void answer(String type, Message.Answer a) throws LinkViolation {
        Pending<?> p = pending.remove(a.id());
        if (p == null) {
            // Late answers to requests that timed out or were cancelled are expected; anything else is harmless too.
            LOG.debug("Agent {}: '{}' for request {}, which is not open; ignored", session.remote(), type, a.id());
            return;
        }
        p.cancelTimeout();
        if (a instanceof Message.ErrorAnswer e) {
            p.fail(new AgentRequestException("The agent of " + session.describeAgent() + " could not carry out '"
                    + p.requestType + "' (" + e.code() + "): " + (e.message().isEmpty() ? "no message" : e.message())));
            return;
        }
        if (!p.answerType.isInstance(a)) {
            p.fail(new AgentRequestException("The agent of " + session.describeAgent() + " answered '" + type
                    + "' to '" + p.requestType + "'"));
            throw new LinkViolation(LinkStats.Kind.OUT_OF_ORDER,
                    "'" + type + "' answers request " + a.id() + " ('" + p.requestType + "'), which expects '"
                            + MessageCodec.type(p.answerType) + "'");
        }
        try {
            p.complete(a);
        } catch (LinkViolation e) {
            p.fail(new AgentRequestException("The agent of " + session.describeAgent() + " sent a malformed '" + type
                    + "': " + e.getMessage()));
            throw e;
        }
    }
}
