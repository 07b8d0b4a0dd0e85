package org.opendpm.transfer.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.agent.AgentLinkStatus;
import org.opendpm.api.agent.AgentListener;
import org.opendpm.api.agent.AgentPowerAction;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.agent.CommandResult;
import org.opendpm.api.agent.ProgressListener;
import org.opendpm.api.agent.RemoteFile;
import org.opendpm.api.agent.StreamResult;
import org.opendpm.api.agent.StreamSink;
import org.opendpm.api.boot.DeployOsSessions;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineQuery;
import org.opendpm.api.inventory.PartitionInfo;
import org.opendpm.api.inventory.PowerState;
import org.opendpm.api.inventory.SeenBy;
import org.opendpm.api.inventory.SeenMachine;
import org.opendpm.api.inventory.SeenResult;
import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The agent link (PID {@value #PID}): the TLS server agents connect to, their credentials, and {@link AgentLink} for
 * the rest of the server. A configuration change restarts the listener (open sessions end, agents reconnect) unless
 * only the rate limits changed, which apply at once.
 *
 * <p>An agent's session is kept under its canonical MAC. A machine's agent is found through the machine's MACs in
 * the inventory at the time of asking, so a machine registered from New Machine after its agent connected is found
 * without a reconnect, and a session never acts for a machine that does not own its MAC.
 */
@Component(service = AgentLink.class, configurationPid = AgentLinkService.PID,
        immediate = true)
@Designate(ocd = AgentLinkService.Config.class)
public final class AgentLinkService implements AgentLink, AgentSession.Host {

    public static final String PID = "org.opendpm.transfer";

    private static final Logger LOG = LoggerFactory.getLogger(AgentLinkService.class);
    /** Added to a command's own time-out: the agent kills the command, then answers. */
    static final Duration COMMAND_GRACE = Duration.ofSeconds(30);
    private static final Pattern PERMISSIONS = Pattern.compile("[0-7]{3}");

    @ObjectClassDefinition(name = "OpenDPM agent link", description = "The TLS server the agents of managed machines"
            + " connect to (NET-5), and the server discovery responder (OSI-6)")
    public @interface Config {
        @AttributeDefinition(name = "Enabled")
        boolean enabled() default true;

        @AttributeDefinition(name = "Address", description = "Address to listen on; agents on the managed machines"
                + " must reach it, so all addresses (0.0.0.0) by default")
        String address() default "0.0.0.0";

        @AttributeDefinition(name = "Port", description = "TCP port of the agent link (AgentTcp1)", min = "0",
                max = "65535")
        int port() default 26509;

        @AttributeDefinition(name = "Maximum frame size", description = "Larger frames close the connection unread;"
                + " at least 256 KiB + 9 for file chunks", min = "262153")
        int maxFrameBytes() default 1024 * 1024 + 16;

        @AttributeDefinition(name = "Heartbeat period (s)", description = "Both sides send a heartbeat this often;"
                + " three silent periods close the connection", min = "1", max = "3600")
        int heartbeatSeconds() default 15;

        @AttributeDefinition(name = "Hello time-out (s)", description = "A connection that has not completed hello"
                + " within this time is closed", min = "1", max = "600")
        int helloTimeoutSeconds() default 10;

        @AttributeDefinition(name = "Connections per second per address", description = "Beyond this, connections"
                + " from one address are closed before TLS; 0 = no limit", min = "0")
        int maxConnectionsPerSecondPerAddress() default 20;

        @AttributeDefinition(name = "Connections per second", description = "Beyond this, connections are closed"
                + " before TLS; 0 = no limit", min = "0")
        int maxConnectionsPerSecond() default 500;

        @AttributeDefinition(name = "Discovery enabled", description = "Answer agents searching for the server")
        boolean discoveryEnabled() default true;

        @AttributeDefinition(name = "Discovery port", description = "UDP port of the discovery responder"
                + " (AgentSearchUdp); 0 = off", min = "0", max = "65535")
        int discoveryPort() default 26529;

        @AttributeDefinition(name = "Advertised host", description = "Host name or address discovery answers give"
                + " agents; empty = the listening address, or this host's address when listening on all")
        String advertisedHost() default "";

        @AttributeDefinition(name = "Request time-out (s)", description = "How long the agent has to answer a"
                + " request other than a command (a command has its own time-out plus 30 s)", min = "1")
        int requestTimeoutSeconds() default 60;

        @AttributeDefinition(name = "I/O threads", description = "Event loop threads for all connections;"
                + " 0 = twice the number of processors", min = "0", max = "64")
        int ioThreads() default 0;
    }

    private final InventoryService inventory;
    /** Issued by network boot (feature opendpm-netboot); without it every Deploy-OS hello is refused. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile DeployOsSessions deployOsSessions;
    private final CredentialStore credentials;
    private final Path dataFolder;
    private final LinkStats stats = new LinkStats();
    private final Map<String, AgentSession> sessions = new ConcurrentHashMap<>();
    private final List<AgentListener> listeners = new CopyOnWriteArrayList<>();
    private final ThreadPoolExecutor blocking;
    private final ExecutorService notifier;
    /** One thread per stream being written to its sink, which may block. */
    private final ExecutorService streamWriters;
    private ConnectionLimiter limiter; // guarded by "this"; one per listener, as it keeps per-address state
    /** For requests other than commands, and for the agent's acknowledgement of a file. */
    private volatile Duration requestTimeout = Duration.ofSeconds(60);
    private ServerCertificate certificate; // guarded by "this"
    private LinkServer server; // guarded by "this"

    @Activate
    public AgentLinkService(Config config, @Reference Database database, @Reference InventoryService inventory) {
        this(config, database, inventory, null, Path.of(System.getProperty("karaf.data", "data"),
                "transfer"));
    }

    AgentLinkService(Config config, Database database, InventoryService inventory, DeployOsSessions deployOsSessions,
            Path dataFolder) {
        this.inventory = inventory;
        this.deployOsSessions = deployOsSessions;
        this.credentials = new CredentialStore(database);
        this.dataFolder = dataFolder;
        // Database checks, file hashing and file reads: bounded, so a flood of hellos queues instead of spawning.
        this.blocking = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(10_000),
                new DefaultThreadFactory("opendpm-agent-work", true));
        this.blocking.allowCoreThreadTimeOut(true);
        this.notifier = Executors.newSingleThreadExecutor(new DefaultThreadFactory("opendpm-agent-listeners", true));
        this.streamWriters = Executors.newCachedThreadPool(new DefaultThreadFactory("opendpm-agent-stream", true));
        apply(config);
    }

    @Modified
    void modified(Config config) {
        apply(config);
    }

    @Deactivate
    void deactivate() {
        synchronized (this) {
            stopServer();
        }
        blocking.shutdownNow();
        streamWriters.shutdownNow();
        notifier.shutdown();
        try {
            notifier.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        notifier.shutdownNow();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(AgentListener listener) {
        listeners.add(listener);
    }

    void removeListener(AgentListener listener) {
        listeners.remove(listener);
    }

    // ------------------------------------------------------------------ for the integrator (REST, shell)

    /** The certificate's SHA-256 fingerprint agents pin, or empty when it could not be loaded or created. */
    public synchronized Optional<String> fingerprint() {
        return Optional.ofNullable(certificate).map(ServerCertificate::fingerprint);
    }

    /** Counters since the component started. */
    public LinkStats stats() {
        return stats;
    }

    /** The address the link listens on, when it runs. */
    public synchronized Optional<InetSocketAddress> listenAddress() {
        return Optional.ofNullable(server).map(LinkServer::localAddress);
    }

    /** The address the discovery responder listens on, when it runs. */
    public synchronized Optional<InetSocketAddress> discoveryAddress() {
        return Optional.ofNullable(server).flatMap(LinkServer::discoveryAddress);
    }

    // ------------------------------------------------------------------ configuration

    private static ConnectionLimiter.Limits limits(Config c) {
        return new ConnectionLimiter.Limits(c.maxConnectionsPerSecondPerAddress(), c.maxConnectionsPerSecond());
    }

    private synchronized void apply(Config c) {
        if (limiter != null) {
            limiter.setLimits(limits(c));
        }
        requestTimeout = Duration.ofSeconds(Math.max(1, c.requestTimeoutSeconds()));
        if (!c.enabled()) {
            stopServer();
            LOG.info("Agent link disabled by configuration {}", PID);
            return;
        }
        LinkServer.Settings settings;
        try {
            settings = new LinkServer.Settings(InetAddress.getByName(c.address().strip()), c.port(),
                    Math.max(c.maxFrameBytes(), FrameCodec.MAX_CHUNK + 9), Math.max(1, c.heartbeatSeconds()),
                    Math.max(1, c.helloTimeoutSeconds()), c.discoveryEnabled(), c.discoveryPort(), c.advertisedHost(),
                    c.ioThreads());
        } catch (UnknownHostException e) {
            stopServer();
            LOG.error("Agent link not started: address '{}' of configuration {} is unknown", c.address(), PID);
            return;
        }
        if (server != null && server.settings().equals(settings)) {
            return; // only the rate limits changed, and they are in force already
        }
        stopServer();
        try {
            if (certificate == null) {
                certificate = ServerCertificate.loadOrCreate(dataFolder);
            }
            limiter = new ConnectionLimiter(limits(c), stats);
            LinkServer s = new LinkServer(settings, certificate, limiter, this, stats);
            s.start();
            server = s;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            // Stay active: a corrected configuration (another port, a restored key store) starts it.
            LOG.error("Agent link could not start on {}:{}: {}", c.address(), c.port(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.error("Agent link start interrupted");
        }
    }

    private void stopServer() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    // ------------------------------------------------------------------ AgentSession.Host

    @Override
    public Executor blocking() {
        return blocking;
    }

    @Override
    public void register(AgentSession session, Greeting g) {
        onBlocking(session, () -> {
            if (credentials.exists(g.mac())
                    && !(g.credential().isPresent() && credentials.verify(g.mac(), g.credential().get()))) {
                refuseAlreadyRegistered(session, g.mac());
                return;
            }
            try {
                SeenResult seen = seen(g);
                LOG.info("Agent {}: registered for MAC {} ({}), machine {}", session.remote(), g.mac(),
                        g.hostName().orElse("no host name"), describe(seen));
            } catch (ValidationException e) {
                session.refuse("invalid", "register for MAC " + g.mac() + " refused: " + e.getMessage(),
                        LinkStats.Kind.BAD_MEMBER);
                return;
            }
            String credential;
            try {
                credential = credentials.issue(g.mac(), session.remote(), g.credential());
            } catch (CredentialStore.AlreadyIssuedException e) {
                refuseAlreadyRegistered(session, g.mac());
                return;
            }
            stats.add(LinkStats.Kind.REGISTERED);
            session.registered(credential);
        });
    }

    private static void refuseAlreadyRegistered(AgentSession session, String mac) {
        session.refuse("already-registered", "register for MAC " + mac + " refused: a credential was already issued"
                + " for it; an administrator withdraws it with dpm:agent-reset " + mac
                + " (after replacing the machine)", LinkStats.Kind.ALREADY_REGISTERED);
    }

    @Override
    public void hello(AgentSession session, Greeting g) {
        if (g.deployOs()) {
            deployOsHello(session, g);
            return;
        }
        onBlocking(session, () -> {
            if (!credentials.verify(g.mac(), g.credential().orElse(""))) {
                session.refuse("unauthenticated", "hello for MAC " + g.mac()
                        + " refused: no credential was issued for this MAC, or it is not this one",
                        LinkStats.Kind.UNAUTHENTICATED);
                return;
            }
            Optional<Long> machineId = Optional.empty();
            try {
                SeenResult seen = seen(g);
                if (seen.outcome() == SeenResult.Outcome.KNOWN || seen.outcome() == SeenResult.Outcome.AUTO_REGISTERED) {
                    machineId = owner(seen.id(), g.mac());
                }
            } catch (RuntimeException e) {
                // The session is valid whatever the inventory says; it is resolved again when a request comes.
                LOG.warn("Agent {}: the inventory could not record MAC {}: {}", session.remote(), g.mac(),
                        e.getMessage());
                machineId = byMac(g.mac());
            }
            if (machineId.isPresent()) {
                try {
                    inventory.setPowerState(machineId.get(), PowerState.ON);
                } catch (RuntimeException e) {
                    LOG.warn("Agent {}: power state of machine {} not recorded: {}", session.remote(),
                            machineId.get(), e.getMessage());
                }
            }
            stats.add(LinkStats.Kind.AUTHENTICATED);
            session.accept(machineId, Optional.empty());
        });
    }

    /**
     * A Deploy-OS agent proves with the one-time token from its kernel command line that it was booted for an
     * execution; it has no credential and does not register (its RAM disk keeps nothing).
     */
    private void deployOsHello(AgentSession session, Greeting g) {
        onBlocking(session, () -> {
            DeployOsSessions issued = deployOsSessions;
            if (issued == null) {
                session.refuse("unauthenticated", "refused Deploy-OS hello for MAC " + g.mac() + " from "
                        + session.remote() + ": network boot (feature opendpm-netboot), which issues Deploy-OS "
                        + "sessions, is not installed", LinkStats.Kind.DEPLOY_OS_REFUSED);
                return;
            }
            Optional<Long> execution = issued.redeem(g.mac(), g.token().orElse(""));
            if (execution.isEmpty()) {
                session.refuse("unauthenticated", "refused Deploy-OS hello for MAC " + g.mac() + " from "
                        + session.remote() + ": wrong or used token", LinkStats.Kind.DEPLOY_OS_REFUSED);
                return;
            }
            Optional<Long> machineId = byMac(g.mac());
            stats.add(LinkStats.Kind.AUTHENTICATED);
            LOG.info("Agent {}: Deploy-OS of MAC {} admitted for execution {}", session.remote(), g.mac(),
                    execution.get());
            session.accept(machineId, execution);
        });
    }

    /** Runs a register or hello check off the event loop; a full queue or missing database refuses the agent. */
    private void onBlocking(AgentSession session, Runnable work) {
        try {
            blocking.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    session.refuse("unavailable", "the server cannot check agents now: " + e.getMessage(),
                            LinkStats.Kind.SERVER_UNAVAILABLE);
                }
            });
        } catch (RejectedExecutionException e) {
            session.refuse("unavailable", "the server is too busy to check agents now",
                    LinkStats.Kind.SERVER_UNAVAILABLE);
        }
    }

    /**
     * Reports the agent's machine to the inventory (INV-4). A host name or address the inventory refuses (a name it
     * cannot take, a loopback address of an agent on the server's own host) is left out rather than refusing the
     * agent: the MAC is what identifies the machine.
     */
    private SeenResult seen(Greeting g) {
        Optional<String> ip = g.ip();
        Optional<String> name = g.hostName();
        while (true) {
            try {
                return inventory.registerSeen(new SeenMachine(SeenBy.AGENT, g.mac(), g.uuid(), ip, name));
            } catch (ValidationException e) {
                if ("ip".equals(e.field()) && ip.isPresent()) {
                    ip = Optional.empty();
                } else if ("name".equals(e.field()) && name.isPresent()) {
                    name = Optional.empty();
                } else {
                    throw e;
                }
            }
        }
    }

    private static String describe(SeenResult r) {
        switch (r.outcome()) {
            case KNOWN:
                return "already managed (id " + r.id() + ")";
            case AUTO_REGISTERED:
                return "registered by a rule file (id " + r.id() + ")";
            default:
                return "listed under New Machine";
        }
    }

    /**
     * The managed machine that owns {@code mac}, checked rather than trusted: the inventory also matches by UUID, and
     * a session acts only for the machine whose NIC its credential was issued for.
     */
    private Optional<Long> owner(long machineId, String mac) {
        try {
            return inventory.machine(machineId).macs().contains(mac) ? Optional.of(machineId) : Optional.empty();
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    private Optional<Long> byMac(String mac) {
        try {
            return inventory.machines(new MachineQuery(Optional.empty(), false, Optional.empty(), Optional.of(mac), 0,
                    20)).machines().stream().filter(m -> m.macs().contains(mac)).map(Machine::id).findFirst();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public void authenticated(AgentSession session) {
        AgentSession old = sessions.put(session.mac(), session);
        if (old != null && old != session) {
            stats.add(LinkStats.Kind.REPLACED);
            LOG.info("Agent {}: replaced by a new connection from {} for MAC {}; connection closed", old.remote(),
                    session.remote(), session.mac());
            old.closeWith("replaced by a new connection");
        }
        LOG.info("Agent {}: MAC {} authenticated{}", session.remote(), session.mac(),
                session.machineId().map(id -> ", machine " + id).orElse(", not a managed machine yet"));
        AgentInfo info = session.info();
        notifyListeners(l -> l.connected(info), "connected");
    }

    @Override
    public void closed(AgentSession session, String reason, boolean wasAuthenticated) {
        if (!wasAuthenticated) {
            return;
        }
        sessions.remove(session.mac(), session);
        AgentInfo info = session.info();
        notifyListeners(l -> l.disconnected(info, reason), "disconnected");
    }

    private void notifyListeners(java.util.function.Consumer<AgentListener> call, String what) {
        try {
            notifier.execute(() -> {
                for (AgentListener l : listeners) {
                    try {
                        call.accept(l);
                    } catch (RuntimeException e) {
                        LOG.warn("Agent listener {} failed on {}: {}", l.getClass().getName(), what, e.toString(), e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("Agent listeners not told of {}: the link is stopping", what);
        }
    }

    // ------------------------------------------------------------------ AgentLink

    @Override
    public Optional<AgentInfo> agent(long machineId) {
        try {
            return session(inventory.machine(machineId)).map(AgentSession::info);
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public AgentLinkStatus status() {
        int connected = (int) sessions.values().stream().filter(AgentSession::isOpen).count();
        return new AgentLinkStatus(listenAddress().map(InetSocketAddress::getPort).orElse(0),
                fingerprint().orElse(""), connected, stats.closedByReason());
    }

    @Override
    public List<AgentInfo> agents() {
        List<AgentInfo> out = new ArrayList<>();
        for (AgentSession s : sessions.values()) {
            if (s.isOpen()) {
                if (s.machineId().isEmpty()) {
                    s.machineId(byMac(s.mac())); // registered from New Machine since it connected
                }
                out.add(s.info());
            }
        }
        out.sort(Comparator.comparing(AgentInfo::mac));
        return out;
    }

    /** The open session of one of the machine's MACs, the primary first; binds it to the machine. */
    private Optional<AgentSession> session(Machine m) {
        List<String> macs = new ArrayList<>(m.macs());
        macs.remove(m.primaryMac());
        macs.add(0, m.primaryMac());
        for (String mac : macs) {
            AgentSession s = sessions.get(mac);
            if (s != null && s.isOpen()) {
                s.machineId(Optional.of(m.id()));
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** Finds the machine's session off the caller's thread (a database read). */
    private CompletableFuture<AgentSession> sessionAsync(long machineId) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                Machine m = inventory.machine(machineId);
                return session(m).orElseThrow(() -> new AgentUnavailableException("Machine " + m.name() + " (id "
                        + machineId + ") has no connected agent"));
            }, blocking);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new AgentUnavailableException("The agent link is stopping"));
        }
    }

    /**
     * Runs a request on the machine's session once it is found, and completes with the original exception rather than
     * a {@link CompletionException} around it. Cancelling the returned future cancels the request, which tells the
     * agent to stop it.
     */
    private <T> CompletableFuture<T> onSession(long machineId, Function<AgentSession, CompletableFuture<T>> request) {
        CompletableFuture<T> out = new CompletableFuture<>();
        AtomicReference<CompletableFuture<T>> inner = new AtomicReference<>();
        sessionAsync(machineId).whenComplete((s, t) -> {
            if (t != null) {
                out.completeExceptionally(cause(t));
                return;
            }
            CompletableFuture<T> f;
            try {
                f = request.apply(s);
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
                return;
            }
            inner.set(f);
            if (out.isCancelled()) {
                f.cancel(true);
                return;
            }
            f.whenComplete((v, x) -> {
                if (x == null) {
                    out.complete(v);
                } else {
                    out.completeExceptionally(cause(x));
                }
            });
        });
        out.whenComplete((v, t) -> {
            CompletableFuture<T> f = inner.get();
            if (out.isCancelled() && f != null) {
                f.cancel(true);
            }
        });
        return out;
    }

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    @Override
    public CompletionStage<CommandResult> runCommand(long machineId, String commandLine, Duration timeout) {
        return runCommand(machineId, commandLine, timeout, ProgressListener.NONE);
    }

    @Override
    public CompletionStage<CommandResult> runCommand(long machineId, String commandLine, Duration timeout,
            ProgressListener progress) {
        if (commandLine == null || commandLine.isBlank()) {
            return CompletableFuture.failedFuture(new ValidationException("commandLine", "a command line is required"));
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            return CompletableFuture.failedFuture(new ValidationException("timeout", "the time-out must be positive"));
        }
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        return onSession(machineId, s -> s.request(new Message.Command(s.newId(), commandLine, seconds),
                Message.CommandResult.class, Duration.ofSeconds(seconds).plus(COMMAND_GRACE), listener, a -> {
                    Message.CommandResult r = (Message.CommandResult) a;
                    return new CommandResult(r.exitCode(), r.output());
                }));
    }

    @Override
    public CompletionStage<Void> power(long machineId, AgentPowerAction action) {
        if (action == null) {
            return CompletableFuture.failedFuture(new ValidationException("action", "a power action is required"));
        }
        String wire = action == AgentPowerAction.REBOOT ? "reboot" : "shutdown";
        return onSession(machineId, s -> s.<Void>request(id -> new Message.Power(id, wire), Message.Ack.class,
                requestTimeout, a -> null));
    }

    @Override
    public CompletionStage<Void> sendFile(long machineId, Path source, String targetFolder, String permissions) {
        if (source == null || source.getFileName() == null) {
            return CompletableFuture.failedFuture(new ValidationException("source", "a file to send is required"));
        }
        if (targetFolder == null || targetFolder.isBlank()) {
            return CompletableFuture.failedFuture(new ValidationException("targetFolder", "a target folder is required"));
        }
        if (permissions == null || !PERMISSIONS.matcher(permissions).matches()) {
            return CompletableFuture.failedFuture(new ValidationException("permissions",
                    "permissions are three octal digits such as 640, not '" + permissions + "'"));
        }
        String name = source.getFileName().toString();
        if (name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
            return CompletableFuture.failedFuture(new ValidationException("source", "'" + name
                    + "' is not a plain file name"));
        }
        return onSession(machineId, s -> {
            FileChannel file;
            long size;
            String sha256;
            try {
                // Still on the blocking executor: the file is hashed whole before its first byte is sent.
                if (!Files.isRegularFile(source)) {
                    throw new ValidationException("source", source + " is not a regular file");
                }
                file = FileChannel.open(source, StandardOpenOption.READ);
                try {
                    size = file.size();
                    sha256 = sha256(source);
                } catch (IOException | RuntimeException e) {
                    file.close();
                    throw e;
                }
            } catch (IOException e) {
                throw new ValidationException("source", "cannot read " + source + ": " + e.getMessage());
            }
            return s.sendFile(file, name, size, sha256, targetFolder, permissions, requestTimeout);
        });
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0;) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    @Override
    public CompletionStage<Void> deleteFile(long machineId, String path) {
        if (path == null || path.isBlank()) {
            return CompletableFuture.failedFuture(new ValidationException("path", "a path is required"));
        }
        return onSession(machineId, s -> s.<Void>request(id -> new Message.DeleteFile(id, path), Message.Ack.class,
                requestTimeout, a -> null));
    }

    @Override
    public CompletionStage<List<RemoteFile>> listFolder(long machineId, String folder) {
        if (folder == null || folder.isBlank()) {
            return CompletableFuture.failedFuture(new ValidationException("folder", "a folder is required"));
        }
        return onSession(machineId, s -> s.request(id -> new Message.ListFolder(id, folder),
                Message.FolderListing.class, requestTimeout, a -> ((Message.FolderListing) a).entries().stream()
                        .map(e -> new RemoteFile(e.name(), e.directory(), e.size(), e.modified(), e.permissions()))
                        .toList()));
    }

    @Override
    public CompletionStage<List<DiskInfo>> disks(long machineId) {
        return onSession(machineId, s -> s.request(id -> new Message.DiskInventory(id), Message.Disks.class,
                requestTimeout, a -> ((Message.Disks) a).disks().stream().map(AgentLinkService::disk).toList()));
    }

    private static DiskInfo disk(Message.Disks.Disk d) {
        return new DiskInfo(d.number(), d.device(), d.sizeBytes(), d.partitionTable(), d.model(), d.partitions()
                .stream().map(p -> new PartitionInfo(p.number(), p.startBytes(), p.sizeBytes(), p.type(),
                        p.filesystem())).toList());
    }

    @Override
    public CompletionStage<StreamResult> readStream(long machineId, String source, Map<String, String> parameters,
            StreamSink sink, ProgressListener progress) {
        if (source == null || source.isBlank()) {
            return CompletableFuture.failedFuture(new ValidationException("source", "a stream source is required"));
        }
        if (sink == null) {
            return CompletableFuture.failedFuture(new ValidationException("sink", "a sink is required"));
        }
        Map<String, String> p = parameters == null ? Map.of() : parameters;
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        return onSession(machineId, s -> s.readStream(source, p, sink, listener, streamWriters));
    }

    @Override
    public boolean resetCredential(String mac) {
        String canonical;
        try {
            canonical = Macs.canonical(mac);
        } catch (IllegalArgumentException e) {
            throw new ValidationException("mac", e.getMessage());
        }
        boolean deleted = credentials.delete(canonical);
        AgentSession s = sessions.get(canonical);
        if (s != null) {
            s.closeWith("its credential was withdrawn by an administrator");
        }
        if (deleted) {
            LOG.info("Agent credential for MAC {} withdrawn", canonical);
        }
        return deleted;
    }
}
