package org.opendpm.transfer.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLException;

import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.AgentUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
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
    /** Message types an agent may send; any other is unknown. */
    private static final Set<String> AGENT_TYPES = Set.of("register", "hello", "heartbeat", "commandResult", "ack",
            "folderListing", "error");
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
                h.deployOs(), connectedAt, lastHeard);
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
                violate(new ProtocolException(LinkStats.Kind.HELLO_TIMEOUT,
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
        failAllPending(reason);
        host.closed(this, reason, wasAuthenticated);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frames.Inbound frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (closed || closeReason != null) {
                return; // closing: whatever still arrives is dropped
            }
            lastHeard = Instant.now();
            handle(frame);
        } catch (ProtocolException e) {
            violate(e, true);
        } finally {
            frame.payload().release();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE
                && state == State.AUTHENTICATED) {
            violate(new ProtocolException(LinkStats.Kind.HEARTBEAT_LOST, "heartbeat lost: nothing heard for "
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
        if (c instanceof ProtocolException pe) {
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

    private void handle(Frames.Inbound frame) throws ProtocolException {
        if (frame.type() == Frames.DATA) {
            if (state != State.AUTHENTICATED) {
                throw new ProtocolException(LinkStats.Kind.OUT_OF_ORDER, "data frame before hello");
            }
            if (frame.payload().readableBytes() < 8) {
                throw new ProtocolException(LinkStats.Kind.BAD_MEMBER, "data frame shorter than its transfer id");
            }
            // The server opens no transfers from agents to itself, so every data frame is for no open transfer.
            throw new ProtocolException(LinkStats.Kind.UNKNOWN_TRANSFER,
                    "data frame for transfer " + Long.toUnsignedString(frame.payload().getLong(
                            frame.payload().readerIndex())) + ", which is not open");
        }
        if (frame.type() != Frames.CONTROL) {
            throw new ProtocolException(LinkStats.Kind.UNKNOWN_FRAME_TYPE,
                    "frame type " + (frame.type() & 0xff) + " is unknown");
        }
        ObjectNode m = parse(frame.payload());
        String type = Messages.type(m);
        if (!AGENT_TYPES.contains(type)) {
            throw new ProtocolException(LinkStats.Kind.UNKNOWN_TYPE, "unknown message type '" + clip(type) + "'");
        }
        switch (state) {
            case AWAITING_FIRST_FRAME:
                if (type.equals("register")) {
                    Greeting g = Greeting.read(m);
                    state = State.REGISTERING;
                    host.register(this, g);
                } else if (type.equals("hello")) {
                    Greeting g = Greeting.read(m);
                    hello = g;
                    state = State.AUTHENTICATING;
                    host.hello(this, g);
                } else {
                    throw new ProtocolException(LinkStats.Kind.OUT_OF_ORDER, "'" + type + "' before register or hello");
                }
                break;
            case REGISTERING:
            case AUTHENTICATING:
                if (!type.equals("heartbeat")) {
                    throw new ProtocolException(LinkStats.Kind.OUT_OF_ORDER,
                            "'" + type + "' while its " + (state == State.REGISTERING ? "register" : "hello")
                                    + " is being checked");
                }
                break;
            case AUTHENTICATED:
                if (type.equals("hello") || type.equals("register")) {
                    throw new ProtocolException(LinkStats.Kind.OUT_OF_ORDER, "a second '" + type + "' in the session");
                }
                if (!type.equals("heartbeat")) {
                    answer(type, m);
                }
                break;
            default:
                break;
        }
    }

    private static ObjectNode parse(ByteBuf payload) throws ProtocolException {
        JsonNode node;
        try {
            node = Frames.JSON.readTree(new ByteBufInputStream(payload.duplicate()));
        } catch (JacksonException e) {
            throw new ProtocolException(LinkStats.Kind.MALFORMED_FRAME,
                    "malformed JSON in a control frame: " + clip(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ProtocolException(LinkStats.Kind.MALFORMED_FRAME, "unreadable control frame: " + e.getMessage());
        }
        if (!(node instanceof ObjectNode o)) {
            throw new ProtocolException(LinkStats.Kind.MALFORMED_FRAME, "a control frame holds "
                    + (node == null || node.isMissingNode() ? "nothing" : "a JSON " + node.getNodeType()
                            .name().toLowerCase(java.util.Locale.ROOT)) + ", not an object");
        }
        return o;
    }

    private void answer(String type, ObjectNode m) throws ProtocolException {
        long id = Messages.integer(m, "id");
        Pending<?> p = pending.remove(id);
        if (p == null) {
            // Late answers to requests that timed out are expected; anything else is harmless too.
            LOG.debug("Agent {}: '{}' for request {}, which is not open; ignored", remote, type, id);
            return;
        }
        p.cancelTimeout();
        if (type.equals("error")) {
            String code = Messages.optionalString(m, "code").orElse("failed");
            String message = Messages.optionalString(m, "message").orElse("no message");
            p.fail(new AgentRequestException("The agent of " + describeAgent() + " could not carry out '"
                    + p.requestType + "' (" + code + "): " + message));
            return;
        }
        if (!type.equals(p.answerType)) {
            p.fail(new AgentRequestException("The agent of " + describeAgent() + " answered '" + type + "' to '"
                    + p.requestType + "'"));
            throw new ProtocolException(LinkStats.Kind.OUT_OF_ORDER,
                    "'" + type + "' answers request " + id + " ('" + p.requestType + "'), which expects '"
                            + p.answerType + "'");
        }
        try {
            p.complete(m);
        } catch (ProtocolException e) {
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
            ObjectNode m = Frames.message("registered");
            m.put("credential", credential);
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
            ObjectNode m = Frames.message("error");
            m.put("code", code);
            m.put("message", message);
            writeAndClose(m);
        });
    }

    /** The hello was verified: become the MAC's session, welcome the agent and start heartbeats. */
    void accept(Optional<Long> resolvedMachineId) {
        channel.eventLoop().execute(() -> {
            if (closed || closeReason != null) {
                return;
            }
            machineId = resolvedMachineId;
            connectedAt = Instant.now();
            state = State.AUTHENTICATED;
            cancel(helloTimer);
            FrameDecoder decoder = channel.pipeline().get(FrameDecoder.class);
            if (decoder != null) {
                decoder.authenticated();
            }
            // Findable before the agent hears welcome; requests started now are queued behind the welcome.
            host.authenticated(this);
            ObjectNode m = Frames.message("welcome");
            m.put("heartbeatSeconds", heartbeatSeconds);
            channel.writeAndFlush(Frames.control(channel.alloc(), m));
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

    private void violate(ProtocolException e, boolean tellPeer) {
        if (closed || closeReason != null) {
            return;
        }
        host.stats().add(e.kind());
        LOG.warn("Agent {}: {}; connection closed", remote, e.getMessage());
        closeReason = e.getMessage();
        if (tellPeer) {
            // The agent's log then says why too; the close follows the write whatever happens to it.
            ObjectNode m = Frames.message("error");
            m.put("code", "protocol");
            m.put("message", e.getMessage());
            writeAndClose(m);
        } else {
            channel.close();
        }
    }

    /**
     * Writes a last message and closes once it is out; a peer that does not read cannot hold the connection open,
     * since it is closed after two seconds anyway.
     */
    private void writeAndClose(ObjectNode last) {
        channel.writeAndFlush(Frames.control(channel.alloc(), last)).addListener(ChannelFutureListener.CLOSE);
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, 2, TimeUnit.SECONDS);
    }

    private void heartbeat() {
        if (closed) {
            return;
        }
        channel.writeAndFlush(Frames.control(channel.alloc(), Frames.message("heartbeat")));
        long now = System.nanoTime();
        for (FileSender s : senders) {
            if (now - s.lastProgress > STALL.toNanos()) {
                s.fail(new AgentUnavailableException("Sending " + s.name + " to the agent of " + describeAgent()
                        + " made no progress for " + STALL.toSeconds() + " s"));
                closeWith("file transfer " + s.transferId + " stalled for " + STALL.toSeconds() + " s", true);
                return;
            }
        }
    }

    // ------------------------------------------------------------------ requests (any thread)

    /**
     * Sends a request and completes with the reader's view of its answer. {@code timeout} starts when the request is
     * written; {@code null} leaves the clock to the caller ({@link #armTimeout}).
     */
    <T> CompletableFuture<T> request(ObjectNode message, String answerType, Duration timeout, Pending.Reader<T> reader) {
        long id = nextId.getAndIncrement();
        String requestType = message.get("type").textValue();
        message.put("id", id);
        Pending<T> p = new Pending<>(id, requestType, answerType, reader);
        pending.put(id, p);
        if (closed) {
            // The connection ended between the caller finding the session and now.
            failPending(p, closeReason == null ? "connection closed" : closeReason);
            return p.future;
        }
        try {
            channel.eventLoop().execute(() -> {
                if (closed || p.future.isDone()) {
                    return;
                }
                host.stats().add(LinkStats.Kind.REQUESTS_SENT);
                channel.writeAndFlush(Frames.control(channel.alloc(), message));
                if (timeout != null) {
                    armTimeout(p, timeout);
                }
            });
        } catch (RejectedExecutionException e) {
            failPending(p, "the agent link is stopping");
        }
        return p.future;
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
        ObjectNode begin = Frames.message("fileBegin");
        begin.put("transferId", transferId);
        begin.put("folder", folder);
        begin.put("name", name);
        begin.put("size", size);
        begin.put("sha256", sha256);
        begin.put("permissions", permissions);
        CompletableFuture<Void> done = request(begin, "ack", null, a -> null);
        long id = begin.get("id").longValue();
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
                channel.writeAndFlush(Frames.data(channel.alloc(), transferId, ready));
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
            ObjectNode end = Frames.message("fileEnd");
            end.put("id", id);
            end.put("transferId", transferId);
            channel.writeAndFlush(Frames.control(channel.alloc(), end));
        }

        /** Reads the next chunk on the blocking executor, one at a time, so only one chunk waits per transfer. */
        private void readNext() {
            if (readInFlight || ready != null || readPosition >= size) {
                return;
            }
            readInFlight = true;
            long position = readPosition;
            int length = (int) Math.min(Frames.CHUNK, size - position);
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

    private static String clip(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
