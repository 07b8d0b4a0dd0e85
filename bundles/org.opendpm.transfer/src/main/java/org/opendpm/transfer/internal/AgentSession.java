package org.opendpm.transfer.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
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
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.agent.ProgressListener;
import org.opendpm.api.agent.StreamResult;
import org.opendpm.api.agent.StreamSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * One agent connection: the session's state machine. Its open requests ({@link AgentRequests}), outgoing files
 * ({@link FileTransfers}), incoming streams ({@link AgentStreams}) and image reads and writes ({@link AgentImages})
 * are parts it owns and closes with it.
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
    private final AtomicLong nextTransfer = new AtomicLong(1);
    private final AgentRequests requests = new AgentRequests(this);
    private final FileTransfers files = new FileTransfers(this);
    private final AgentStreams streams = new AgentStreams(this);
    private final AgentImages images = new AgentImages(this);
    /** The events of open multicast joins by request id ({@link MulticastMember}). */
    private final Map<Long, MulticastListener> multicast = new ConcurrentHashMap<>();

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
                h.deployOs(), connectedAt, lastHeard, executionId, h.startId());
    }

    boolean isOpen() {
        return !closed;
    }

    /** The server's address of an authenticated Deploy-OS agent's connection; empty for other sessions. */
    Optional<InetAddress> deployOsLinkAddress() {
        Greeting h = hello;
        Channel ch = channel;
        return state == State.AUTHENTICATED && h != null && h.deployOs() && ch != null
                && ch.localAddress() instanceof InetSocketAddress a ? Optional.of(a.getAddress()) : Optional.empty();
    }

    // ------------------------------------------------------------------ channel events

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        remote = LinkServer.describe(channel.remoteAddress());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        helloTimer = ctx.executor().schedule(() -> {
            if (state == State.AWAITING_FIRST_FRAME && !closed) {
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
        files.abandonAll();
        streams.abandonAll(reason);
        images.abandonAll(reason);
        requests.failAll(reason);
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
        files.pump();
        images.writable();
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
            if (!images.data(d.transferId(), inbound.payload())) {
                streams.data(d.transferId(), inbound.payload());
            }
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
                cancel(helloTimer);
                host.register(this, g);
            } else if (m instanceof Message.Hello h) {
                Greeting g = Greeting.of(h);
                hello = g;
                state = State.AUTHENTICATING;
                // The agent has said its part; the check is the server's. Timing it out would close a connection
                // whose Deploy-OS token the check may already have redeemed, and the agent could not come back.
                cancel(helloTimer);
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
                || m instanceof Message.ConnectionError || AgentImages.sentByAgents(m)
                || m instanceof Message.MulticastJoined || m instanceof Message.MulticastProgress;
    }

    private void authenticatedMessage(String type, Message m) throws LinkViolation {
        if (m instanceof Message.Hello || m instanceof Message.Register) {
            throw new LinkViolation(LinkStats.Kind.OUT_OF_ORDER, "a second '" + type + "' in the session");
        }
        if (m instanceof Message.ConnectionError) {
            throw new LinkViolation(LinkStats.Kind.BAD_MEMBER, "'error' has no integer member 'id'");
        }
        if (m instanceof Message.Progress p) {
            // A stream's progress is what its sink has taken, which the server counts itself.
            requests.progress(p, streams.ofRequest(p.id()) != null);
        } else if (m instanceof Message.StreamBegin b) {
            StreamReceiver r = streams.ofRequest(b.id());
            if (r != null) {
                r.begin(b.size());
            }
        } else if (m instanceof Message.Answer a) {
            requests.answer(type, a);
        } else if (m instanceof Message.MulticastJoined || m instanceof Message.MulticastProgress) {
            long id = m instanceof Message.MulticastJoined j ? j.id() : ((Message.MulticastProgress) m).id();
            MulticastListener l = multicast.get(id);
            if (l != null) {
                l.event(m);
            } else {
                // A member dropped or cancelled a moment ago may still report.
                LOG.debug("Agent {}: '{}' for request {}, which is no open multicast join; ignored", remote, type,
                        id);
            }
        } else {
            images.event(m);
        }
    }

    /** Hears the events of one multicast join; on the event loop. */
    interface MulticastListener {
        void event(Message m);
    }

    /** Routes the events of multicast join {@code id} to {@code l} until {@link #unlistenMulticast}. */
    void listenMulticast(long id, MulticastListener l) {
        multicast.put(id, l);
    }

    void unlistenMulticast(long id) {
        multicast.remove(id);
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

    /** The hello was verified: become the MAC's session, welcome the agent (with its resume key) and start heartbeats. */
    void accept(Optional<Long> resolvedMachineId, Optional<Long> admittedForExecution, Optional<String> resumeKey) {
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
            channel.writeAndFlush(NettyFrames.control(new Message.Welcome(heartbeatSeconds, resumeKey)));
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

    /** Closes the session, with a log line if {@code log}; event loop only. */
    void closeWith(String reason, boolean log) {
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
        if (files.closeIfStalled(now)) {
            return;
        }
        streams.abandonStalled(now);
    }

    // ------------------------------------------------------------------ requests, files and streams (any thread)

    /** A new request id. */
    long newId() {
        return requests.newId();
    }

    /** A new transfer id, shared by files sent and streams received. */
    long newTransferId() {
        return nextTransfer.getAndIncrement();
    }

    <T> CompletableFuture<T> request(LongFunction<Message.Request> message, Class<? extends Message.Answer> answerType,
            Duration timeout, Pending.Reader<T> reader) {
        return request(message.apply(newId()), answerType, timeout, ProgressListener.NONE, reader);
    }

    /** See {@link AgentRequests#send}. */
    <T> CompletableFuture<T> request(Message.Request message, Class<? extends Message.Answer> answerType,
            Duration timeout, ProgressListener progress, Pending.Reader<T> reader) {
        return requests.send(message, answerType, timeout, progress, reader);
    }

    /** See {@link FileTransfers#send}. */
    CompletableFuture<Void> sendFile(FileChannel file, String name, long size, String sha256, String folder,
            String permissions, Duration ackTimeout) {
        return files.send(file, name, size, sha256, folder, permissions, ackTimeout);
    }

    AgentImages images() {
        return images;
    }

    /** See {@link AgentStreams#read}. */
    CompletableFuture<StreamResult> readStream(String source, Map<String, String> parameters, StreamSink sink,
            ProgressListener progress, Executor writers) {
        return streams.read(source, parameters, sink, progress, writers);
    }

    /** A sent request was cancelled: its stream stops and its file transfer stops sending; event loop only. */
    void requestCancelled(long id, CancellationException cancelled) {
        streams.cancelled(id, cancelled);
        files.pump();
    }

    // ------------------------------------------------------------------ for the session's parts

    Channel channel() {
        return channel;
    }

    /** Why the session was closed, {@code null} while it is not closing. */
    String closeReason() {
        return closeReason;
    }

    AgentRequests requests() {
        return requests;
    }

    LinkStats stats() {
        return host.stats();
    }

    Executor blocking() {
        return host.blocking();
    }

    AgentUnavailableException unavailable(String reason) {
        return new AgentUnavailableException("The connection to the agent of " + describeAgent() + " was lost: "
                + reason);
    }

    String describeAgent() {
        Greeting h = hello;
        if (h == null) {
            return remote;
        }
        return h.hostName().map(n -> n + " (" + h.mac() + ")").orElse(h.mac());
    }

    // ------------------------------------------------------------------ helpers

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
