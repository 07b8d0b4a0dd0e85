package org.opendpm.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

import org.opendpm.agent.protocol.Frame;
import org.opendpm.agent.protocol.Message;
import org.opendpm.agent.protocol.MessageCodec;
import org.opendpm.agent.protocol.ProtocolException;

/**
 * One agent identity's link to the server: connect, {@code register} once, then {@code hello} and serve requests
 * until the connection ends; then again after a jittered back-off, for as long as the agent runs. All of it runs on
 * one thread, which is also the connection's reader.
 */
final class AgentRunner implements Runnable {

    private static final Logger LOG = Logger.getLogger(AgentRunner.class.getName());
    /** The server closes a connection that has not completed hello within 10 s; we wait a little longer. */
    private static final int OPENING_TIMEOUT_MILLIS = 15_000;
    private static final int MAX_HEARTBEAT_SECONDS = 3600;

    enum Outcome {
        /** Registered: reconnect at once with hello. */
        REGISTERED,
        /** A session was welcomed and has ended: back-off starts again from its initial delay. */
        ENDED,
        /** No session: back off further. */
        FAILED
    }

    private final AgentContext ctx;
    private final Identity identity;
    private final Path credentialFile;
    private final boolean simulated;
    private final boolean quiet;
    private final Backoff backoff;
    private volatile boolean running = true;
    private volatile FrameChannel current;
    private volatile Thread thread;
    /** In a Deploy-OS: the key of the last welcome, said with hello after a lost connection (never logged). */
    private volatile String resumeKey;
    /** When the last Deploy-OS session ended (System.nanoTime), for the resume window. */
    private long lostAt;

    /**
     * @param quiet log routine connection trouble at FINE only (all simulated agents but the first: a simulation
     *        of thousands would otherwise repeat every line thousands of times)
     */
    AgentRunner(AgentContext ctx, Identity identity, Path credentialFile, boolean simulated, boolean quiet) {
        this.ctx = ctx;
        this.identity = identity;
        this.credentialFile = credentialFile;
        this.simulated = simulated;
        this.quiet = quiet;
        this.backoff = new Backoff(ctx.config.backoffInitial(), ctx.config.backoffMax());
    }

    Identity identity() {
        return identity;
    }

    void start() {
        Thread t = new Thread(null, this, "agent-" + identity.mac(), AgentContext.THREAD_STACK);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    void stop() {
        running = false;
        FrameChannel c = current;
        if (c != null) {
            c.close();
        }
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    void join(Duration timeout) throws InterruptedException {
        Thread t = thread;
        if (t != null) {
            t.join(Math.max(1, timeout.toMillis()));
        }
    }

    boolean alive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    @Override
    public void run() {
        while (running) {
            Outcome outcome;
            try {
                outcome = connectOnce();
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "Unexpected failure of the agent link for " + identity.mac(), e);
                outcome = Outcome.FAILED;
            }
            if (!running) {
                break;
            }
            if (outcome == Outcome.REGISTERED) {
                continue;
            }
            if (outcome == Outcome.ENDED) {
                backoff.reset();
                lostAt = System.nanoTime();
            } else {
                ctx.stats.connectFailures.incrementAndGet();
            }
            Duration delay = resuming() ? ctx.config.resumeInterval() : backoff.next();
            log(Level.INFO, "Reconnecting in " + delay.toMillis() + " ms");
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
            }
        }
    }

    /**
     * Whether a Deploy-OS agent is within its resume window: it reconnects at a steady pace, as the server waits for
     * it to resume an image transfer.
     */
    private boolean resuming() {
        return resumeKey != null
                && System.nanoTime() - lostAt < ctx.config.resumeWindow().toNanos();
    }

    private Outcome connectOnce() {
        String host;
        int port;
        if (ctx.config.discovery()) {
            Discovery.Found found;
            try {
                found = Discovery.discover(ctx.config.discoverAddress(), ctx.config.discoverPort(),
                        ctx.config.discoverInterval(), () -> running);
                if (found != null && ctx.state.pinned() == null) {
                    ctx.state.pin(found.fingerprint(), "discovery answer");
                }
            } catch (IOException e) {
                log(Level.WARNING, "Server discovery failed: " + e);
                return Outcome.FAILED;
            }
            if (found == null) {
                return Outcome.FAILED;
            }
            host = found.host();
            port = found.port();
        } else {
            host = ctx.config.serverHost();
            port = ctx.config.serverPort();
        }
        String where = host + ":" + port;
        FrameChannel channel;
        try {
            channel = open(host, port);
        } catch (SSLHandshakeException e) {
            CertificateException refused = certificateCause(e);
            if (refused != null) {
                LOG.severe("Refusing the server at " + where + ": " + refused.getMessage() + ". If the server's "
                        + "certificate was replaced on purpose, delete " + ctx.state.dir().resolve(
                                StateFolder.PIN_FILE)
                        + " or start with --server-fingerprint");
            } else {
                log(Level.WARNING, "TLS handshake with " + where + " failed: " + e.getMessage());
            }
            return Outcome.FAILED;
        } catch (IOException e) {
            log(Level.WARNING, "Cannot connect to " + where + ": " + e);
            return Outcome.FAILED;
        }
        try {
            String ip = localIp(channel.socket());
            if (ctx.config.deployOsToken() != null) {
                String key = resumeKey;
                return key != null
                        ? hello(channel, where, ip, deployOsMac(channel.socket()), Optional.empty(), Optional.empty(),
                                Optional.of(key))
                        : hello(channel, where, ip, deployOsMac(channel.socket()), Optional.empty(),
                                Optional.of(ctx.config.deployOsToken()), Optional.empty());
            }
            String credential;
            try {
                credential = ctx.state.readCredential(credentialFile);
            } catch (IOException e) {
                LOG.severe(e.getMessage());
                return Outcome.FAILED;
            }
            return credential == null
                    ? register(channel, where, ip)
                    : hello(channel, where, ip, identity.mac(), Optional.of(credential), Optional.empty(),
                            Optional.empty());
        } catch (LinkViolation | ProtocolException e) {
            log(Level.WARNING, "Closing the connection to " + where + ": " + e.getMessage());
            return Outcome.FAILED;
        } catch (IOException e) {
            if (running) {
                log(Level.WARNING, "Connection to " + where + " lost while opening the session: " + e);
            }
            return Outcome.FAILED;
        } finally {
            channel.close();
            current = null;
        }
    }

    private FrameChannel open(String host, int port) throws IOException {
        Socket raw = new Socket();
        FrameChannel channel = null;
        try {
            raw.setTcpNoDelay(true);
            raw.setKeepAlive(true);
            raw.connect(new InetSocketAddress(host, port), (int) ctx.config.connectTimeout().toMillis());
            SSLSocket ssl = (SSLSocket) ctx.sslFactory.createSocket(raw, host, port, true);
            List<String> protocols = new ArrayList<>(Arrays.asList(ssl.getSupportedProtocols()));
            protocols.retainAll(List.of("TLSv1.3", "TLSv1.2"));
            ssl.setEnabledProtocols(protocols.toArray(new String[0]));
            ssl.setSoTimeout(OPENING_TIMEOUT_MILLIS);
            channel = new FrameChannel(ssl, simulated);
            current = channel;
            if (!running) {
                throw new IOException("agent stopping");
            }
            ssl.startHandshake();
            return channel;
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            raw.close();
            current = null;
            throw e;
        }
    }

    /**
     * Registers with a credential this agent proposes. It is stored as pending before it is sent, so when the answer
     * is lost (a timeout, a dropped connection) the next attempt proposes the same one and the server, finding it
     * already issued to this MAC, accepts it again instead of refusing the MAC for good.
     */
    private Outcome register(FrameChannel channel, String where, String ip) throws IOException {
        Path pendingFile = credentialFile.resolveSibling(credentialFile.getFileName() + ".pending");
        String proposed = ctx.state.readCredential(pendingFile);
        if (proposed == null) {
            proposed = StateFolder.newCredential();
            ctx.state.writeCredential(pendingFile, proposed);
        }
        channel.send(new Message.Register(identity.mac(), Optional.of(proposed), identity.macs(),
                Optional.ofNullable(identity.uuid()), Optional.of(ip), Optional.of(identity.hostName()),
                identity.os(), ctx.agentVersion, identity.deployOs(), Message.PROTOCOL_VERSION));
        Message answer = readOpeningAnswer(channel);
        if (answer instanceof Message.Registered registered) {
            String credential = registered.credential();
            if (!StateFolder.validCredential(credential)) {
                throw new LinkViolation("'registered' without a valid credential");
            }
            try {
                ctx.state.writeCredential(credentialFile, credential);
                java.nio.file.Files.deleteIfExists(pendingFile);
            } catch (IOException e) {
                LOG.severe("Registered with " + where + " as " + identity.mac() + " but the credential could not "
                        + "be stored in " + credentialFile + ": " + e + ". An administrator must reset the "
                        + "credential on the server before this agent can register again");
                return Outcome.FAILED;
            }
            ctx.stats.registrations.incrementAndGet();
            log(Level.INFO, "Registered with " + where + " as " + identity.mac() + "; credential stored in "
                    + credentialFile);
            return Outcome.REGISTERED;
        }
        if (answer instanceof Message.ConnectionError error) {
            String code = error.code();
            String message = error.message();
            if (code.equals("already-registered")) {
                LOG.severe("The server at " + where + " refuses to register " + identity.mac() + ": a credential "
                        + "was already issued for this MAC (" + message + "). After replacing a machine an "
                        + "administrator withdraws the old credential (dpm:agent-reset " + identity.mac()
                        + " or DELETE /agents/" + identity.mac() + "/credential); the agent keeps retrying");
            } else {
                LOG.severe("The server at " + where + " refused to register " + identity.mac() + ": " + code + ": "
                        + message);
            }
            return Outcome.FAILED;
        }
        throw new LinkViolation("expected 'registered', got '" + MessageCodec.type(answer) + "'");
    }

    /**
     * Opens the session with the credential, or, in a Deploy-OS, with the one-time token from the kernel command
     * line, which the server redeems for the execution the machine was booted for; after a lost connection with the
     * resume key of the last welcome instead.
     */
    private Outcome hello(FrameChannel channel, String where, String ip, String mac, Optional<String> credential,
            Optional<String> token, Optional<String> resume) throws IOException {
        boolean deployOs = token.isPresent() || resume.isPresent();
        channel.send(new Message.Hello(mac, credential, token, Optional.ofNullable(identity.uuid()), Optional.of(ip),
                Optional.of(identity.hostName()), identity.os(), ctx.agentVersion, deployOs, "on",
                Message.PROTOCOL_VERSION, resume, Optional.of(ctx.startId)));
        Message answer = readOpeningAnswer(channel);
        if (answer instanceof Message.ConnectionError error) {
            if (!error.code().equals("unauthenticated")) {
                LOG.severe("The server at " + where + " refused the session of " + mac + ": " + error.code() + ": "
                        + error.message());
            } else if (resume.isPresent()) {
                LOG.warning("The server at " + where + " refused the resume key of " + mac + " (" + error.message()
                        + "): the Deploy-OS session has ended or expired. Retrying");
            } else if (token.isPresent()) {
                LOG.severe("The server at " + where + " refused the Deploy-OS token of " + mac + " (" + error
                        .message() + "): it is wrong, used or expired. Retrying");
            } else {
                LOG.severe("The server at " + where + " refused the credential of " + mac + " in "
                        + credentialFile + " (unauthenticated: " + error.message() + "). The agent does not "
                        + "register again by itself; if the credential was reset on the server, delete "
                        + credentialFile + " so that the agent registers anew. Retrying");
            }
            return Outcome.FAILED;
        }
        if (!(answer instanceof Message.Welcome welcome)) {
            throw new LinkViolation("expected 'welcome', got '" + MessageCodec.type(answer) + "'");
        }
        if (welcome.heartbeatSeconds() < 1 || welcome.heartbeatSeconds() > MAX_HEARTBEAT_SECONDS) {
            throw new LinkViolation("'welcome' without a heartbeatSeconds between 1 and " + MAX_HEARTBEAT_SECONDS);
        }
        if (deployOs && welcome.resumeKey().isPresent()) {
            resumeKey = welcome.resumeKey().get();
        }
        return serve(channel, where, welcome.heartbeatSeconds());
    }

    /**
     * The MAC a Deploy-OS agent says hello for: the one given (on the kernel command line by iPXE, or with --mac), else
     * that of the network interface the connection goes out of.
     */
    private String deployOsMac(Socket socket) throws IOException {
        if (ctx.config.mac() != null) {
            return ctx.config.mac();
        }
        NetworkInterface nic = NetworkInterface.getByInetAddress(socket.getLocalAddress());
        byte[] hw = nic == null ? null : nic.getHardwareAddress();
        if (hw == null || hw.length != 6) {
            return identity.mac(); // loopback or a tunnel: the machine's first NIC
        }
        return Identity.formatMac(hw);
    }

    /** The first answer of the server; heartbeats cannot come before it, anything else is out of order. */
    private static Message readOpeningAnswer(FrameChannel channel) throws IOException {
        Frame f = channel.read();
        if (f == null) {
            throw new LinkViolation("the server closed the connection without answering");
        }
        if (!(f instanceof Frame.Control c)) {
            throw new LinkViolation("data frame before the session was opened");
        }
        return c.message();
    }

    private Outcome serve(FrameChannel channel, String where, int heartbeatSeconds) throws IOException {
        int silenceMillis = heartbeatSeconds * ctx.config.heartbeatGrace() * 1000;
        channel.socket().setSoTimeout(silenceMillis);
        Session session = new Session(ctx, channel, simulated);
        ScheduledFuture<?> beat = ctx.timer.scheduleAtFixedRate(session::heartbeat, heartbeatSeconds,
                heartbeatSeconds, TimeUnit.SECONDS);
        ctx.stats.connected.incrementAndGet();
        ctx.stats.sessions.incrementAndGet();
        log(Level.INFO, "Connected to " + where + " as " + identity.mac() + " (heartbeat every " + heartbeatSeconds
                + " s)");
        try {
            session.readLoop();
            if (running) {
                log(Level.INFO, "The server at " + where + " closed the connection");
            }
        } catch (SocketTimeoutException e) {
            log(Level.WARNING, "Heartbeat lost: nothing from " + where + " for " + silenceMillis / 1000
                    + " s; reconnecting");
        } catch (LinkViolation | ProtocolException e) {
            log(Level.WARNING, "Closing the connection to " + where + ": " + e.getMessage());
        } catch (IOException e) {
            if (running) {
                log(Level.INFO, "Connection to " + where + " lost: " + e);
            }
        } finally {
            beat.cancel(false);
            ctx.stats.connected.decrementAndGet();
            channel.close();
            session.close();
        }
        return Outcome.ENDED;
    }

    private static CertificateException certificateCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CertificateException) {
                return (CertificateException) c;
            }
        }
        return null;
    }

    private static String localIp(Socket s) {
        InetAddress a = s.getLocalAddress();
        String ip = a.getHostAddress();
        int scope = ip.indexOf('%');
        return scope >= 0 ? ip.substring(0, scope) : ip;
    }

    private void log(Level level, String message) {
        LOG.log(quiet && level.intValue() < Level.SEVERE.intValue() ? Level.FINE : level,
                simulated ? "[" + identity.mac() + "] " + message : message);
    }
}
