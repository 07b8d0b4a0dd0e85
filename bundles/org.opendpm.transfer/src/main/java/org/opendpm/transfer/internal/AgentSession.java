package org.opendpm.transfer.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import javax.net.ssl.SSLException;

import org.opendpm.agent.protocol.Frame;
import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;
import org.opendpm.agent.protocol.MessageCodec;
import org.opendpm.agent.protocol.ProtocolException;
import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.agent.ProgressListener;
import org.opendpm.api.agent.StreamResult;
import org.opendpm.api.agent.StreamSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * One agent connection: the session's state machine, its open requests and its outgoing file transfers.
 *
 * <p>States: {@code AWAITING_FIRST_FRAME} → ({@code register}) {@code REGISTERING} → answered and closed, or
 * ({@code hello}) {@code AUTHENTICATING} → {@code AUTHENTICATED}. Anything out of that order, an unknown message or
 * frame type, bad JSON or a missing member closes the connection with one log line naming the peer and the reason;
 * other connections are not affected.
 *
 * <p>Threads: frames, timers and writes run on the channel's event loop; the database checks of {@code register} and
 * {@code hello}, file hashing and file reads run on the link's blocking executor; requests may be started from any
 * thread. Open requests live in a concurrent map and are failed with {@link AgentUnavailableException} when the
 * connection ends.
 */
final class AgentSession extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(AgentSession.class);
    /** A file transfer that could write nothing for this long is given up (the agent stopped reading). */
    static final Duration STALL = Duration.ofSeconds(60);

    enum State {
        AWAITING_FIRST_FRAME, REGISTERING, AUTHENTICATING, AUTHENTICATED, CLOSED
    }

    /** What the session needs from the link. */
    interface Host {
        void register(AgentSession session, Greeting register);

        void hello(AgentSession session, Greeting hello);

        /** The session has authenticated: make it the MAC's session and tell the listeners. */
        void authenticated(AgentSession session);

        void closed(AgentSession session, String reason, boolean wasAuthenticated);

        Executor blocking();

        LinkStats stats();
    }

    private final Host host;
    private final int heartbeatSeconds;
    private final int helloTimeoutSeconds;
    private final Map<Long, Pending<?>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong nextTransfer = new AtomicLong(1);
    /** Transfers still sending data; event loop only. */
    private final List<FileSender> senders = new ArrayList<>();
    /** Streams from the agent by transfer id; event loop only. */
    private final Map<Long, StreamReceiver> streams = new HashMap<>();
    /** Streams given up whose data may still arrive, the latest few; event loop only. */
    private final Set<Long> abandonedTransfers = new LinkedHashSet<>();

    private Channel channel;
    private String remote = "?";
    private volatile State state = State.AWAITING_FIRST_FRAME;
    private volatile boolean closed;
    /** The first reason the session was closed for; event loop only. */
    private String closeReason;
    private ScheduledFuture<?> helloTimer;
    private ScheduledFuture<?> heartbeatTimer;

    // Known after hello.
    private volatile Greeting hello;
    private volatile Optional<Long> machineId = Optional.empty();
    /** For a Deploy-OS agent admitted by its token: the execution it was booted for. */
    private volatile Optional<Long> executionId = Optional.empty();
    private volatile Instant connectedAt = Instant.now();
    private volatile Instant lastHeard = Instant.now();

    AgentSession(Host host, int heartbeatSeconds, int helloTimeoutSeconds) {
        this.host = host;
        this.heartbeatSeconds = heartbeatSeconds;
        this.helloTimeoutSeconds = helloTimeoutSeconds;
    }

    // ------------------------------------------------------------------ facts for the link

    String remote() {
        return remote;
    }

    State state() {
        return state;
    }

    /** The canonical MAC of an authenticated session. */
    String mac() {
        return hello.mac();
    }

    Optional<Long> machineId() {
        return machineId;
    }

    void machineId(Optional<Long> id) {
        this.machineId = id;
    }

    AgentInfo info() {
        Greeting h = hello;
        return new AgentInfo(machineId, h.mac(), h.uuid(), remote, h.hostName().orElse(""), h.os(), h.agentVersion(),
                h.deployOs(), connectedAt, lastHeard, executionId);
    }

    boolean isOpen() {
        return !closed;
    }

    // ------------------------------------------------------------------ channel events

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        remote = describe(channel.remoteAddress());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        helloTimer = ctx.executor().schedule(() -> {
            if (state != State.AUTHENTICATED && !closed) {
                violate(new LinkViolation(LinkStats.Kind.HELLO_TIMEOUT,
                        "no hello within " + helloTimeoutSeconds + " s"), false);
            }
        }, helloTimeoutSeconds, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        boolean wasAuthenticated = state == State.AUTHENTICATED;
        closed = true;
        state = State.CLOSED;
        String reason = closeReason != null ? closeReason : "connection closed by the agent";
        closeReason = reason;
        cancel(helloTimer);
        cancel(heartbeatTimer);
        for (FileSender s : senders) {
            s.abandon();
        }
        senders.clear();
        for (StreamReceiver r : streams.values()) {
            r.abandon(unavailable(reason));
        }
        streams.clear();
        failAllPending(reason);
        host.closed(this, reason, wasAuthenticated);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof NettyFrames.Inbound frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (closed || closeReason != null) {
                return; // closing: whatever still arrives is dropped
            }
            lastHeard = Instant.now();
            handle(frame);
        } catch (LinkViolation e) {
            violate(e, true);
        } finally {
            frame.payload().release();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE
                && state == State.AUTHENTICATED) {
            violate(new LinkViolation(LinkStats.Kind.HEARTBEAT_LOST, "heartbeat lost: nothing heard for "
                    + 3 * heartbeatSeconds + " s"), false);
        } else if (evt instanceof SslHandshakeCompletionEvent hs && !hs.isSuccess() && !closed
                && closeReason == null) {
            host.stats().add(LinkStats.Kind.TLS_FAILED);
            if (hs.cause() instanceof ClosedChannelException) {
                LOG.debug("Agent {}: closed before the TLS handshake completed", remote);
                closeReason = "closed during the TLS handshake";
            } else {
                closeWith("TLS handshake failed: " + hs.cause().getMessage(), true);
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        pump();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof LinkViolation pe) {
            violate(pe, true);
        } else if (closeReason != null || closed) {
            LOG.debug("Agent {}: {} after close", remote, c.toString());
        } else if (c instanceof SSLException || c instanceof NotSslRecordException) {
            host.stats().add(LinkStats.Kind.TLS_FAILED);
            closeWith("TLS failed: " + c.getMessage(), true);
        } else if (c instanceof IOException) {
            // A reset by the peer is how many agents disappear; it is worth a line, not a stack trace.
            closeWith("connection lost: " + c.getMessage(), true);
        } else {
            LOG.warn("Agent {}: unexpected error; connection closed", remote, c);
            closeWith("internal error: " + c, false);
        }
    }

    // ------------------------------------------------------------------ inbound frames

    private void handle(NettyFrames.Inbound inbound) throws LinkViolation {
        Frame frame;
        try {
            frame = FrameCodec.decode(inbound.type(), inbound.payload().nioBuffer());
        } catch (ProtocolException e) {
            throw LinkViolation.of(e);
        }
        if (frame instanceof Frame.Data d) {
            if (state != State.AUTHENTICATED) {
                throw new LinkViolation(LinkStats.Kind.OUT_OF_ORDER, "data frame before hello");
            }
            data(d.transferId(), inbound.payload());
            return;
        }
        Message m = ((Frame.Control) frame).message();
        String type = MessageCodec.type(m);
        if (!sentByAgents(m)) {
            throw new LinkViolation(LinkStats.Kind.UNKNOWN_TYPE, "'" + type + "' is not a message an agent sends");
        }
        switch (state) {
            case AWAITING_FIRST_FRAME:
                if (m instanceof Message.Register r) {
                    Greeting g = Greeting.of(r);
                    state = State.REGISTERING;
                    host.register(this, g);
                } else if (m instanceof Message.Hello h) {
                    Greeting g = Greeting.of(h);
                    hello = g;
                    state = State.AUTHENTICATING;
                    host.hello(this, g);
                } else {
                    throw new LinkViolation(LinkStats.Kind.OUT_OF_ORDER, "'" + type + "' before register or hello");
                }
                break;
            case REGISTERING:
            case AUTHENTICATING:
                if (!(m instanceof Message.Heartbeat)) {
                    throw new LinkViolation(LinkStats.Kind.OUT_OF_ORDER,
                            "'" + type + "' while its " + (state == State.REGISTERING ? "register" : "hello")
                                    + " is being checked");
                }
                break;
            case AUTHENTICATED:
                authenticatedMessage(type, m);
                break;
            default:
                break;
        }
    }

    private static boolean sentByAgents(Message m) {
        return m instanceof Message.Register || m instanceof Message.Hello || m instanceof Message.Heartbeat
                || m instanceof Message.Answer || m instanceof Message.Progress || m instanceof Message.StreamBegin
                || m instanceof Message.ConnectionError;
    }

    private void authenticatedMessage(String type, Message m) throws LinkViolation {
        if (m instanceof Message.Hello || m instanceof Message.Register) {
            throw new LinkViolation(LinkStats.Kind.OUT_OF_ORDER, "a second '" + type + "' in the session");
        }
        if (m instanceof Message.ConnectionError) {
            throw new LinkViolation(LinkStats.Kind.BAD_MEMBER, "'error' has no integer member 'id'");
        }
        if (m instanceof Message.Progress p) {
            Pending<?> open = pending.get(p.id());
            // A stream's progress is what its sink has taken, which the server counts itself.
            if (open != null && streamOfRequest(p.id()) == null) {
                tell(open.progress, p.done(), p.total(), p.unit());
            }
        } else if (m instanceof Message.StreamBegin b) {
            StreamReceiver r = streamOfRequest(b.id());
            if (r != null) {
                r.begin(b.size());
            }
        } else if (m instanceof Message.Answer a) {
            answer(type, a);
        }
    }

    private void tell(ProgressListener listener, long done, long total, String unit) {
        try {
            listener.progress(done, total, unit);
        } catch (RuntimeException e) {
            LOG.warn("Progress listener {} failed: {}", listener.getClass().getName(), e.toString());
        }
    }

    private void data(long transferId, ByteBuf payload) throws LinkViolation {
        StreamReceiver r = streams.get(transferId);
        if (r == null) {
            if (abandonedTransfers.contains(transferId)) {
                return; // data of a stream given up, still on its way
            }
            throw new LinkViolation(LinkStats.Kind.UNKNOWN_TRANSFER, "data frame for transfer "
                    + Long.toUnsignedString(transferId) + ", which is not open");
        }
        host.stats().add(LinkStats.Kind.STREAM_BYTES_RECEIVED, payload.readableBytes() - 8);
        r.data(payload.retainedSlice(payload.readerIndex() + 8, payload.readableBytes() - 8));
    }

    private void answer(String type, Message.Answer a) throws LinkViolation {
        Pending<?> p = pending.remove(a.id());
        if (p == null) {
            // Late answers to requests that timed out or were cancelled are expected; anything else is harmless too.
            LOG.debug("Agent {}: '{}' for request {}, which is not open; ignored", remote, type, a.id());
            return;
        }
        p.cancelTimeout();
        if (a instanceof Message.ErrorAnswer e) {
            p.fail(new AgentRequestException("The agent of " + describeAgent() + " could not carry out '"
                    + p.requestType + "' (" + e.code() + "): " + (e.message().isEmpty() ? "no message" : e.message())));
            return;
        }
        if (!p.answerType.isInstance(a)) {
            p.fail(new AgentRequestException("The agent of " + describeAgent() + " answered '" + type + "' to '"
                    + p.requestType + "'"));
            throw new LinkViolation(LinkStats.Kind.OUT_OF_ORDER,
                    "'" + type + "' answers request " + a.id() + " ('" + p.requestType + "'), which expects '"
                            + MessageCodec.type(p.answerType) + "'");
        }
        try {
            p.complete(a);
        } catch (LinkViolation e) {
            p.fail(new AgentRequestException("The agent of " + describeAgent() + " sent a malformed '" + type
                    + "': " + e.getMessage()));
            throw e;
        }
    }

    // ------------------------------------------------------------------ outcomes of register and hello (any thread)

    /** Answers a register with the credential and closes: the agent comes back with hello. */
    void registered(String credential) {
        channel.eventLoop().execute(() -> {
            if (closed) {
                return;
            }
            Message m = new Message.Registered(credential);
            closeReason = "registered; the agent reconnects with hello";
            writeAndClose(m);
        });
    }

    /** Refuses the register or hello with an error message and closes, with one log line. */
    void refuse(String code, String message, LinkStats.Kind kind) {
        host.stats().add(kind);
        channel.eventLoop().execute(() -> {
            if (closed || closeReason != null) {
                return;
            }
            LOG.warn("Agent {}: {}; connection closed", remote, message);
            closeReason = message;
            writeAndClose(new Message.ConnectionError(code, message));
        });
    }

    /** The hello was verified: become the MAC's session, welcome the agent and start heartbeats. */
    void accept(Optional<Long> resolvedMachineId, Optional<Long> admittedForExecution) {
        channel.eventLoop().execute(() -> {
            if (closed || closeReason != null) {
                return;
            }
            machineId = resolvedMachineId;
            executionId = admittedForExecution;
            connectedAt = Instant.now();
            state = State.AUTHENTICATED;
            cancel(helloTimer);
            FrameDecoder decoder = channel.pipeline().get(FrameDecoder.class);
            if (decoder != null) {
                decoder.authenticated();
            }
            // Findable before the agent hears welcome; requests started now are queued behind the welcome.
            host.authenticated(this);
            channel.writeAndFlush(NettyFrames.control(new Message.Welcome(heartbeatSeconds)));
            heartbeatTimer = channel.eventLoop().scheduleAtFixedRate(this::heartbeat, heartbeatSeconds,
                    heartbeatSeconds, TimeUnit.SECONDS);
        });
    }

    /** Closes the session for a reason of the server's (replaced, credential withdrawn, server stopping). */
    void closeWith(String reason) {
        Channel ch = channel;
        if (ch == null) {
            return;
        }
        ch.eventLoop().execute(() -> closeWith(reason, false));
    }

    private void closeWith(String reason, boolean log) {
        if (closed || closeReason != null) {
            return;
        }
        closeReason = reason;
        if (log) {
            LOG.info("Agent {}: {}; connection closed", remote, reason);
        }
        channel.close();
    }

    private void violate(LinkViolation e, boolean tellPeer) {
        if (closed || closeReason != null) {
            return;
        }
        host.stats().add(e.kind());
        LOG.warn("Agent {}: {}; connection closed", remote, e.getMessage());
        closeReason = e.getMessage();
        if (tellPeer) {
            // The agent's log then says why too; the close follows the write whatever happens to it.
            writeAndClose(new Message.ConnectionError("protocol", e.getMessage()));
        } else {
            channel.close();
        }
    }

    /**
     * Writes a last message and closes once it is out; a peer that does not read cannot hold the connection open,
     * since it is closed after two seconds anyway.
     */
    private void writeAndClose(Message last) {
        channel.writeAndFlush(NettyFrames.control(last)).addListener(ChannelFutureListener.CLOSE);
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, 2, TimeUnit.SECONDS);
    }

    private void heartbeat() {
        if (closed) {
            return;
        }
        channel.writeAndFlush(NettyFrames.control(new Message.Heartbeat()));
        long now = System.nanoTime();
        for (FileSender s : senders) {
            if (now - s.lastProgress > STALL.toNanos()) {
                s.fail(new AgentUnavailableException("Sending " + s.name + " to the agent of " + describeAgent()
                        + " made no progress for " + STALL.toSeconds() + " s"));
                closeWith("file transfer " + s.transferId + " stalled for " + STALL.toSeconds() + " s", true);
                return;
            }
        }
        for (StreamReceiver r : List.copyOf(streams.values())) {
            if (r.stalled(now, STALL.toNanos())) {
                r.abandon(new AgentUnavailableException("The stream from the agent of " + describeAgent()
                        + " made no progress for " + STALL.toSeconds() + " s"));
            }
        }
    }

    // ------------------------------------------------------------------ requests (any thread)

    /** A new request id. */
    long newId() {
        return nextId.getAndIncrement();
    }

    <T> CompletableFuture<T> request(LongFunction<Message.Request> message, Class<? extends Message.Answer> answerType,
            Duration timeout, Pending.Reader<T> reader) {
        return request(message.apply(newId()), answerType, timeout, ProgressListener.NONE, reader);
    }

    /**
     * Sends a request and completes with the reader's view of its answer. {@code timeout} starts when the request is
     * written; {@code null} leaves the clock to the caller ({@link #armTimeout}). Cancelling the future sends
     * {@code cancel} for the request.
     */
    <T> CompletableFuture<T> request(Message.Request message, Class<? extends Message.Answer> answerType,
            Duration timeout, ProgressListener progress, Pending.Reader<T> reader) {
        Pending<T> p = new Pending<>(message.id(), MessageCodec.type(message), answerType, reader, progress);
        pending.put(p.id, p);
        if (closed) {
            // The connection ended between the caller finding the session and now.
            failPending(p, closeReason == null ? "connection closed" : closeReason);
            return p.future;
        }
        p.future.whenComplete((v, t) -> {
            if (p.future.isCancelled()) {
                cancelled(p);
            }
        });
        try {
            channel.eventLoop().execute(() -> {
                if (closed || p.future.isDone()) {
                    return;
                }
                host.stats().add(LinkStats.Kind.REQUESTS_SENT);
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
        try {
            channel.eventLoop().execute(() -> {
                if (closed || !p.sent) {
                    return;
                }
                host.stats().add(LinkStats.Kind.REQUESTS_CANCELLED);
                channel.writeAndFlush(NettyFrames.control(new Message.Cancel(p.id)));
                StreamReceiver r = streamOfRequest(p.id);
                if (r != null) {
                    r.abandon(new CancellationException("cancelled"));
                }
                pump(); // a file transfer of the request stops sending
            });
        } catch (RejectedExecutionException e) {
            // the link is stopping: the connection closes anyway
        }
    }

    /** Event loop only. */
    private void armTimeout(Pending<?> p, Duration timeout) {
        p.timeout = channel.eventLoop().schedule(() -> {
            if (pending.remove(p.id, p)) {
                host.stats().add(LinkStats.Kind.REQUESTS_TIMED_OUT);
                p.fail(new AgentUnavailableException("The agent of " + describeAgent() + " did not answer '"
                        + p.requestType + "' within " + timeout.toSeconds() + " s"));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void failPending(Pending<?> p, String reason) {
        if (pending.remove(p.id, p)) {
            p.fail(unavailable(reason));
        }
    }

    private void failAllPending(String reason) {
        for (Iterator<Pending<?>> it = pending.values().iterator(); it.hasNext();) {
            Pending<?> p = it.next();
            it.remove();
            p.cancelTimeout();
            p.fail(unavailable(reason));
        }
    }

    private AgentUnavailableException unavailable(String reason) {
        return new AgentUnavailableException("The connection to the agent of " + describeAgent() + " was lost: "
                + reason);
    }

    private String describeAgent() {
        Greeting h = hello;
        if (h == null) {
            return remote;
        }
        return h.hostName().map(n -> n + " (" + h.mac() + ")").orElse(h.mac());
    }

    // ------------------------------------------------------------------ file transfer

    /**
     * Sends an open file of {@code size} bytes whose SHA-256 is known: fileBegin, data frames while the connection
     * is writable, fileEnd; completes when the agent acknowledges. The file channel is closed in every case.
     */
    CompletableFuture<Void> sendFile(FileChannel file, String name, long size, String sha256, String folder,
            String permissions, Duration ackTimeout) {
        long transferId = nextTransfer.getAndIncrement();
        long id = newId();
        CompletableFuture<Void> done = request(new Message.FileBegin(id, transferId, folder, name, size, sha256,
                Optional.of(permissions)), Message.Ack.class, null, ProgressListener.NONE, a -> null);
        FileSender sender = new FileSender(id, transferId, file, name, size, ackTimeout);
        done.whenComplete((v, t) -> sender.closeFile());
        if (done.isDone()) {
            return done;
        }
        try {
            // Queued after the fileBegin written by request(), so the data never overtakes it.
            channel.eventLoop().execute(() -> {
                if (closed || done.isDone()) {
                    sender.abandon();
                    return;
                }
                senders.add(sender);
                pump();
            });
        } catch (RejectedExecutionException e) {
            sender.abandon();
        }
        return done;
    }

    // ------------------------------------------------------------------ streams from the agent

    /**
     * Asks the agent to stream {@code source} into {@code sink}; completes once the agent's {@code streamEnd} matches
     * what the sink took. The agent may send {@link StreamReceiver#WINDOW} bytes ahead of what the sink has taken.
     */
    CompletableFuture<StreamResult> readStream(String source, Map<String, String> parameters, StreamSink sink,
            ProgressListener progress, Executor writers) {
        long id = newId();
        long transferId = nextTransfer.getAndIncrement();
        StreamReceiver receiver = new StreamReceiver(id, transferId, sink, progress, writers, this::credit,
                describeAgent());
        try {
            // Registered on the event loop before the request goes out, so no data can come before it.
            channel.eventLoop().execute(() -> {
                if (!closed) {
                    streams.put(transferId, receiver);
                }
            });
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new AgentUnavailableException("The agent link is stopping"));
        }
        CompletableFuture<Void> answered = request(new Message.ReadStream(id, transferId, source, parameters,
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

    /** Grants the agent {@code bytes} more of the stream; any thread. */
    private void credit(StreamReceiver r, long bytes) {
        try {
            channel.eventLoop().execute(() -> {
                if (!closed && streams.get(r.transferId) == r) {
                    channel.writeAndFlush(NettyFrames.control(new Message.StreamCredit(r.id, bytes)));
                }
            });
        } catch (RejectedExecutionException e) {
            // the link is stopping
        }
    }

    private void forget(StreamReceiver r) {
        try {
            channel.eventLoop().execute(() -> {
                if (streams.remove(r.transferId, r)) {
                    abandonedTransfers.add(r.transferId);
                    if (abandonedTransfers.size() > 64) {
                        abandonedTransfers.remove(abandonedTransfers.iterator().next());
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // the link is stopping
        }
    }

    /** Event loop only. */
    private StreamReceiver streamOfRequest(long id) {
        for (StreamReceiver r : streams.values()) {
            if (r.id == id) {
                return r;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ file transfer (continued)

    /** Writes ready chunks while the channel is writable and asks for the next ones; event loop only. */
    private void pump() {
        if (closed) {
            return;
        }
        for (Iterator<FileSender> it = senders.iterator(); it.hasNext();) {
            FileSender s = it.next();
            if (s.step()) {
                it.remove();
            }
        }
    }

    /** One outgoing file; its fields belong to the event loop except where noted. */
    private final class FileSender {
        final long id;
        final long transferId;
        final FileChannel file;
        final String name;
        final long size;
        final Duration ackTimeout;
        long readPosition;
        long sent;
        boolean readInFlight;
        ByteBuf ready;
        long lastProgress = System.nanoTime();

        FileSender(long id, long transferId, FileChannel file, String name, long size, Duration ackTimeout) {
            this.id = id;
            this.transferId = transferId;
            this.file = file;
            this.name = name;
            this.size = size;
            this.ackTimeout = ackTimeout;
        }

        /** Advances the transfer; {@code true} when it no longer needs pumping. */
        boolean step() {
            Pending<?> p = pending.get(id);
            if (p == null || p.future.isDone()) {
                // The agent refused the transfer early (an error to fileBegin) or it failed: stop the data and
                // close the transfer on the agent's side too.
                endTransfer();
                abandon();
                return true;
            }
            while (ready != null && channel.isWritable()) {
                int n = ready.readableBytes();
                channel.writeAndFlush(NettyFrames.data(channel.alloc(), transferId, ready));
                ready = null;
                sent += n;
                lastProgress = System.nanoTime();
                host.stats().add(LinkStats.Kind.FILE_BYTES_SENT, n);
                readNext();
            }
            if (sent == size && ready == null && !readInFlight) {
                endTransfer();
                armTimeout(p, ackTimeout);
                closeFile();
                return true;
            }
            readNext();
            return false;
        }

        private void endTransfer() {
            channel.writeAndFlush(NettyFrames.control(new Message.FileEnd(id, transferId)));
        }

        /** Reads the next chunk on the blocking executor, one at a time, so only one chunk waits per transfer. */
        private void readNext() {
            if (readInFlight || ready != null || readPosition >= size) {
                return;
            }
            readInFlight = true;
            long position = readPosition;
            int length = (int) Math.min(FrameCodec.MAX_CHUNK, size - position);
            readPosition += length;
            try {
                host.blocking().execute(() -> {
                    ByteBuf buf = channel.alloc().directBuffer(length);
                    Exception failure = null;
                    try {
                        long at = position;
                        while (buf.isWritable()) {
                            int r = buf.writeBytes(file, at, buf.writableBytes());
                            if (r < 0) {
                                throw new IOException("the file is shorter than the " + size + " bytes announced;"
                                        + " it changed while being sent");
                            }
                            at += r;
                        }
                    } catch (IOException | RuntimeException e) {
                        failure = e;
                        buf.release();
                    }
                    Exception f = failure;
                    try {
                        channel.eventLoop().execute(() -> chunkRead(f == null ? buf : null, f));
                    } catch (RejectedExecutionException e) {
                        if (f == null) {
                            buf.release();
                        }
                    }
                });
            } catch (RejectedExecutionException e) {
                readInFlight = false;
                fail(new AgentUnavailableException("The agent link is stopping"));
            }
        }

        private void chunkRead(ByteBuf buf, Exception failure) {
            readInFlight = false;
            if (closed || !senders.contains(this)) {
                if (buf != null) {
                    buf.release();
                }
                return;
            }
            if (failure != null) {
                fail(new AgentRequestException("Cannot read " + name + " to send it: " + failure.getMessage()));
                pump();
                return;
            }
            ready = buf;
            pump();
        }

        void fail(Exception e) {
            Pending<?> p = pending.remove(id);
            if (p != null) {
                p.cancelTimeout();
                p.fail(e);
            }
        }

        void abandon() {
            if (ready != null) {
                ready.release();
                ready = null;
            }
            closeFile();
        }

        void closeFile() {
            try {
                file.close();
            } catch (IOException e) {
                LOG.debug("Closing {} failed: {}", name, e.toString());
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    static String describe(SocketAddress a) {
        if (a instanceof InetSocketAddress isa && isa.getAddress() != null) {
            return isa.getAddress().getHostAddress() + ":" + isa.getPort();
        }
        return String.valueOf(a);
    }
}
