package org.opendpm.transfer.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;
import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.agent.AgentLinkStatus;
import org.opendpm.api.agent.AgentListener;
import org.opendpm.api.agent.AgentPowerAction;
import org.opendpm.api.agent.CommandResult;
import org.opendpm.api.agent.ImageChunkSink;
import org.opendpm.api.agent.ImageChunkSource;
import org.opendpm.api.agent.ImageReadRequest;
import org.opendpm.api.agent.ImageReadResult;
import org.opendpm.api.agent.ImageWriteProgress;
import org.opendpm.api.agent.ImageWriteRequest;
import org.opendpm.api.agent.ImageWriteResult;
import org.opendpm.api.agent.PackageInstallRequest;
import org.opendpm.api.agent.PackageInstallResult;
import org.opendpm.api.agent.ProgressListener;
import org.opendpm.api.agent.RemoteFile;
import org.opendpm.api.agent.StreamResult;
import org.opendpm.api.agent.StreamSink;
import org.opendpm.api.boot.DeployOsSessions;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.InventoryService;
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
import org.opendpm.api.multicast.MulticastOptions;
import org.opendpm.api.multicast.MulticastService;
import org.opendpm.api.multicast.MulticastSession;
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
@Component(service = { AgentLink.class, MulticastService.class }, configurationPid = AgentLinkService.PID,
        immediate = true)
@Designate(ocd = AgentLinkService.Config.class)
public final class AgentLinkService implements AgentLink, MulticastService, AgentSession.Host {

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

        @AttributeDefinition(name = "Image stall time-out (s)", description = "An image read or write fails when"
                + " the agent sends nothing it owes for this long (a disk that hangs); waits for the server's own"
                + " disk or for a restore's final compare do not count", min = "1")
        int imageStallSeconds() default 180;

        @AttributeDefinition(name = "Multicast group pool", description = "The multicast addresses restore sessions"
                + " take, one per session (docs/multicast.md); organisation-local scope by default")
        String multicastGroupPool() default "239.255.26.0/24";

        @AttributeDefinition(name = "Multicast port", description = "UDP port of every multicast session", min = "1",
                max = "65535")
        int multicastPort() default 26530;

        @AttributeDefinition(name = "Multicast TTL", description = "1 keeps the packets on the server's segment;"
                + " more for routed multicast", min = "0", max = "255")
        int multicastTtl() default 1;

        @AttributeDefinition(name = "Multicast interface", description = "Network interface name sessions send on;"
                + " empty = the one carrying the most connected Deploy-OS agents' links, else the first one that is"
                + " up, not loopback and supports multicast")
        String multicastInterface() default "";

        @AttributeDefinition(name = "Multicast maximum rate (bytes/s)", description = "The ceiling of a session's"
                + " sending rate; 120 MB/s is about a 1 Gbit/s link", min = "1000000")
        long multicastMaxRate() default 120_000_000L;

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
    private final ThreadPoolExecutor blocking;
    private final ExecutorService notifier;
    /** One thread per stream being written to its sink, which may block. */
    private final ExecutorService streamWriters;
    private final AgentAdmission admission;
    private final AgentSessions sessions;
    private final PackageInstalls packages;
    private final MasterPreparation masters;
    private final MulticastSessions multicast;
    private ConnectionLimiter limiter; // guarded by "this"; one per listener, as it keeps per-address state
    /** For requests other than commands, and for the agent's acknowledgement of a file. */
    private volatile Duration requestTimeout = Duration.ofSeconds(60);
    private volatile Duration imageStall = Duration.ofSeconds(180);
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
        this.admission = new AgentAdmission(inventory, credentials, () -> this.deployOsSessions, stats, blocking);
        this.sessions = new AgentSessions(inventory, stats, blocking, notifier);
        this.masters = new MasterPreparation(sessions, credentials, blocking, () -> requestTimeout);
        this.packages = new PackageInstalls(sessions, this, () -> requestTimeout);
        this.multicast = new MulticastSessions(sessions, blocking);
        apply(config);
    }

    @Modified
    void modified(Config config) {
        apply(config);
    }

    @Deactivate
    void deactivate() {
        multicast.closeAll();
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
        sessions.addListener(listener);
    }

    void removeListener(AgentListener listener) {
        sessions.removeListener(listener);
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
        imageStall = Duration.ofSeconds(Math.max(1, c.imageStallSeconds()));
        multicast.configure(new MulticastSessions.Settings(c.multicastGroupPool(), c.multicastPort(),
                c.multicastTtl(), c.multicastInterface(), Math.max(1_000_000L, c.multicastMaxRate())));
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
        admission.register(session, g);
    }

    @Override
    public void hello(AgentSession session, Greeting g) {
        admission.hello(session, g);
    }

    @Override
    public void authenticated(AgentSession session) {
        sessions.authenticated(session);
        multicast.authenticated(session);
    }

    @Override
    public void closed(AgentSession session, String reason, boolean wasAuthenticated) {
        sessions.closed(session, reason, wasAuthenticated);
    }

    // ------------------------------------------------------------------ AgentLink

    // ------------------------------------------------------------------ MulticastService

    @Override
    public MulticastSession open(Path image, MulticastOptions options) throws IOException {
        return multicast.open(image, options);
    }

    @Override
    public Optional<AgentInfo> agent(long machineId) {
        return sessions.session(machineId).map(AgentSession::info);
    }

    @Override
    public AgentLinkStatus status() {
        int connected = sessions.open().size();
        return new AgentLinkStatus(listenAddress().map(InetSocketAddress::getPort).orElse(0),
                fingerprint().orElse(""), connected, stats.closedByReason());
    }

    @Override
    public List<AgentInfo> agents() {
        List<AgentInfo> out = new ArrayList<>();
        for (AgentSession s : sessions.open()) {
            if (s.machineId().isEmpty()) {
                s.machineId(admission.byMac(s.mac())); // registered from New Machine since it connected
            }
            out.add(s.info());
        }
        out.sort(Comparator.comparing(AgentInfo::mac));
        return out;
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
        return sessions.onSession(machineId, s -> s.request(new Message.Command(s.newId(), commandLine, seconds),
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
        return sessions.onSession(machineId, s -> s.<Void>request(id -> new Message.Power(id, wire),
                Message.Ack.class, requestTimeout, a -> null));
    }

    @Override
    public CompletionStage<Void> sendFile(long machineId, Path source, String targetFolder, String permissions) {
        if (source == null || source.getFileName() == null) {
            return CompletableFuture.failedFuture(new ValidationException("source", "a file to send is required"));
        }
        if (targetFolder == null || targetFolder.isBlank()) {
            return CompletableFuture
                    .failedFuture(new ValidationException("targetFolder", "a target folder is required"));
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
        return sessions.onSession(machineId, s -> {
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
                    sha256 = FileTransfers.sha256(source);
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

    @Override
    public CompletionStage<PackageInstallResult> installPackage(long machineId, PackageInstallRequest request) {
        if (request == null) {
            return CompletableFuture.failedFuture(new ValidationException("request", "a package is required"));
        }
        for (Path f : request.files()) {
            if (f.getFileName() == null || !Files.isRegularFile(f)) {
                return CompletableFuture.failedFuture(new ValidationException("files", f + " is not a regular file"));
            }
        }
        return packages.install(machineId, request);
    }

    @Override
    public CompletionStage<Void> deleteFile(long machineId, String path) {
        if (path == null || path.isBlank()) {
            return CompletableFuture.failedFuture(new ValidationException("path", "a path is required"));
        }
        return sessions.onSession(machineId, s -> s.<Void>request(id -> new Message.DeleteFile(id, path),
                Message.Ack.class, requestTimeout, a -> null));
    }

    @Override
    public CompletionStage<List<RemoteFile>> listFolder(long machineId, String folder) {
        if (folder == null || folder.isBlank()) {
            return CompletableFuture.failedFuture(new ValidationException("folder", "a folder is required"));
        }
        return sessions.onSession(machineId, s -> s.request(id -> new Message.ListFolder(id, folder),
                Message.FolderListing.class, requestTimeout, a -> ((Message.FolderListing) a).entries().stream()
                        .map(e -> new RemoteFile(e.name(), e.directory(), e.size(), e.modified(), e.permissions()))
                        .toList()));
    }

    @Override
    public CompletionStage<List<DiskInfo>> disks(long machineId) {
        return sessions.onSession(machineId, s -> s.request(id -> new Message.DiskInventory(id),
                Message.Disks.class, requestTimeout,
                a -> ((Message.Disks) a).disks().stream().map(AgentImages::disk).toList()));
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
        return sessions.onSession(machineId, s -> s.readStream(source, p, sink, listener, streamWriters));
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

    @Override
    public CompletionStage<ImageReadResult> readImage(long machineId, ImageReadRequest request, ImageChunkSink sink,
            ProgressListener progress) {
        if (request == null || sink == null) {
            return CompletableFuture.failedFuture(new ValidationException("request", "a request and a sink"));
        }
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        return sessions.onSession(machineId, s -> s.images().read(request, sink, listener, streamWriters,
                imageStall));
    }

    @Override
    public CompletionStage<ImageWriteResult> writeImage(long machineId, ImageWriteRequest request,
            ImageChunkSource source, ImageWriteProgress progress) {
        if (request == null || source == null) {
            return CompletableFuture.failedFuture(new ValidationException("request", "a request and a source"));
        }
        ImageWriteProgress listener = progress == null ? (chunks, bytes) -> {
        } : progress;
        return sessions.onSession(machineId, s -> s.images().write(request, source, listener, streamWriters,
                imageStall));
    }

    @Override
    public CompletionStage<byte[]> readDiskArea(long machineId, int disk, long offset, int length) {
        if (disk < 1 || offset < 0 || length < 1 || length > Message.MAX_AREA_BYTES) {
            return CompletableFuture.failedFuture(new ValidationException("length", "a disk area is 1 to "
                    + Message.MAX_AREA_BYTES + " bytes at an offset of at least 0 on disk 1 or above"));
        }
        return sessions.onSession(machineId, s -> s.request(id -> new Message.ReadDiskArea(id, disk, offset, length),
                Message.DiskArea.class, requestTimeout, a -> AgentImages.area((Message.DiskArea) a, length)));
    }

    @Override
    public CompletionStage<Void> writeDiskArea(long machineId, int disk, long offset, byte[] data) {
        if (disk < 1 || offset < 0 || data == null || data.length < 1 || data.length > Message.MAX_AREA_BYTES) {
            return CompletableFuture.failedFuture(new ValidationException("data", "a disk area is 1 to "
                    + Message.MAX_AREA_BYTES + " bytes at an offset of at least 0 on disk 1 or above"));
        }
        return sessions.onSession(machineId, s -> s.<Void>request(id -> new Message.WriteDiskArea(id, disk, offset,
                data), Message.Ack.class, requestTimeout, a -> null));
    }

    @Override
    public CompletionStage<Void> prepareMaster(long machineId, String system) {
        return masters.prepare(machineId, system);
    }

    @Override
    public boolean disconnect(long machineId) {
        Optional<AgentSession> s = sessions.session(machineId);
        // Logged as the session's other closes are: "Agent <address>: disconnected by the server; connection closed".
        s.ifPresent(x -> x.channel().eventLoop().execute(() -> x.closeWith("disconnected by the server", true)));
        return s.isPresent();
    }
}
