package org.opendpm.netboot.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.opendpm.netboot.internal.tftp.GeneratedFileSource;
import org.opendpm.netboot.internal.tftp.TftpServer;
import org.opendpm.netboot.internal.tftp.TftpServerConfig;
import org.opendpm.netboot.internal.tftp.TftpStats;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the TFTP server with the configuration of PID {@value #PID}; a configuration change
 * restarts it (transfers in flight are cut, clients retry). Generated files come from every
 * {@link GeneratedFileSource} service, highest {@code service.ranking} first, then lowest
 * {@code service.id}; the first that answers wins, and only then is the file system asked.
 */
@Component(service = TftpServerComponent.class, configurationPid = TftpServerComponent.PID, immediate = true)
@Designate(ocd = TftpServerComponent.Config.class)
public final class TftpServerComponent {

    public static final String PID = "org.opendpm.netboot.tftp";

    private static final Logger LOG = LoggerFactory.getLogger(TftpServerComponent.class);
    private static final String KARAF_DATA = "${karaf.data}";

    private volatile Path rootFolder;

    @ObjectClassDefinition(name = "OpenDPM TFTP server", description = "Serves boot files (RFC 1350, 2347-2349, 7440)")
    public @interface Config {
        @AttributeDefinition(name = "Enabled")
        boolean enabled() default true;

        @AttributeDefinition(name = "Bind address", description = "Address of the listener and of the transfer ports")
        String bindAddress() default "127.0.0.1";

        @AttributeDefinition(name = "Port", description = "69 for real PXE clients (needs privileges), 6969 otherwise",
                min = "0", max = "65535")
        int port() default 6969;

        @AttributeDefinition(name = "Root folder", description = "The folder served; nothing outside it is readable")
        String rootFolder() default KARAF_DATA + "/tftp";

        @AttributeDefinition(name = "Maximum block size", description = "Largest blksize granted (RFC 2348)", min = "8",
                max = "65464")
        int maxBlockSize() default 65464;

        @AttributeDefinition(name = "Maximum window size", description = "Largest windowsize granted (RFC 7440)",
                min = "1", max = "65535")
        int maxWindowSize() default 64;

        @AttributeDefinition(name = "Retries",
                description = "Retransmissions before a silent client's transfer is abandoned", min = "0", max = "100")
        int retries() default 5;

        @AttributeDefinition(name = "Timeout (ms)", description = "First retransmission timeout; doubles on each retry",
                min = "1", max = "255000")
        int timeoutMillis() default 1000;

        @AttributeDefinition(name = "Write folder",
                description = "Folder under the root that accepts uploads (WRQ); empty refuses all uploads")
        String writeFolder() default "";

        @AttributeDefinition(name = "I/O threads",
                description = "Event loop threads shared by all transfers; 0 = one per core", min = "0")
        int ioThreads() default 0;

        @AttributeDefinition(name = "Cache: largest file (bytes)",
                description = "Small hot files are served from memory; 0 disables the cache", min = "0")
        long cacheMaxFileBytes() default 4L << 20;

        @AttributeDefinition(name = "Cache: total size (bytes)", min = "0")
        long cacheMaxTotalBytes() default 64L << 20;

        @AttributeDefinition(name = "Transfers at once", description = "Transfers served at the same time; later "
                + "requests wait their turn (at most two of their client's time-outs). Serving a thousand lock-step "
                + "clients in runs rather than all in turn is faster for all of them; 0 = no limit", min = "0")
        int maxActiveTransfers() default 64;
    }

    private record Ranked(GeneratedFileSource source, int ranking, long serviceId) {
    }

    private static final Comparator<Ranked> ORDER = Comparator.comparingInt(Ranked::ranking).reversed()
            .thenComparingLong(Ranked::serviceId);

    private final CopyOnWriteArrayList<Ranked> sources = new CopyOnWriteArrayList<>();
    private final GeneratedFileSource composite = this::generate;
    private TftpServer server; // guarded by "this"; replaced on @Modified
    private TftpServerConfig running;

    @Activate
    public TftpServerComponent(Config config) {
        apply(config);
    }

    @Modified
    void modified(Config config) {
        apply(config);
    }

    @Deactivate
    synchronized void deactivate() {
        stopServer();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addGeneratedFileSource(GeneratedFileSource source, Map<String, Object> properties) {
        Object ranking = properties.get("service.ranking");
        Object id = properties.get("service.id");
        sources.add(
                new Ranked(source, ranking instanceof Integer r ? r : 0, id instanceof Long l ? l : Long.MAX_VALUE));
        // CopyOnWriteArrayList cannot be sorted in place cheaply; rebuilding is fine at plugin rate.
        List<Ranked> sorted = sources.stream().sorted(ORDER).toList();
        sources.clear();
        sources.addAll(sorted);
    }

    void removeGeneratedFileSource(GeneratedFileSource source) {
        sources.removeIf(r -> r.source() == source);
    }

    private Optional<byte[]> generate(String path, InetSocketAddress client) {
        for (Ranked r : sources) {
            Optional<byte[]> content = r.source().generate(path, client);
            if (content.isPresent()) {
                return content;
            }
        }
        return Optional.empty();
    }

    /** The configured root folder, resolved, whether or not the server runs (Port.ini lives there). */
    public Path rootFolder() {
        return rootFolder;
    }

    /** The running server's counters, empty while it is disabled or failed to start. */
    public synchronized Optional<TftpStats> stats() {
        return Optional.ofNullable(server).map(TftpServer::stats);
    }

    /** The listener's address, empty while the server is not running. */
    public synchronized Optional<InetSocketAddress> localAddress() {
        return Optional.ofNullable(server).map(TftpServer::localAddress);
    }

    private synchronized void apply(Config config) {
        rootFolder = resolveRoot(config.rootFolder(), System.getProperty("karaf.data"));
        TftpServerConfig wanted;
        try {
            wanted = config.enabled() ? toServerConfig(config, System.getProperty("karaf.data")) : null;
        } catch (UnknownHostException | IllegalArgumentException e) {
            LOG.error("TFTP configuration {} is invalid, server stopped: {}", PID, e.getMessage());
            stopServer();
            return;
        }
        if (wanted != null && wanted.equals(running) && server != null) {
            return;
        }
        stopServer();
        if (wanted == null) {
            LOG.info("TFTP server disabled by configuration {}", PID);
            return;
        }
        TftpServer s = new TftpServer(wanted, composite);
        try {
            s.start();
        } catch (IOException | RuntimeException e) {
            // Stay active so a corrected configuration (another port) can start it.
            LOG.error("TFTP server could not start: {}", e.getMessage(), e);
            return;
        }
        server = s;
        running = wanted;
    }

    private void stopServer() {
        if (server != null) {
            server.stop();
            server = null;
            running = null;
        }
    }

    static TftpServerConfig toServerConfig(Config c, String karafData) throws UnknownHostException {
        return TftpServerConfig.builder(resolveRoot(c.rootFolder(), karafData))
                .bindAddress(InetAddress.getByName(c.bindAddress().trim()))
                .port(c.port())
                .writeFolder(c.writeFolder())
                .maxBlockSize(c.maxBlockSize())
                .maxWindowSize(c.maxWindowSize())
                .retries(c.retries())
                .timeoutMillis(c.timeoutMillis())
                .ioThreads(c.ioThreads())
                .cache(c.cacheMaxFileBytes(), c.cacheMaxTotalBytes())
                .maxActiveTransfers(c.maxActiveTransfers())
                .build();
    }

    /** Replaces {@code ${karaf.data}} (Config Admin does not expand defaults of metatype). */
    static Path resolveRoot(String configured, String karafData) {
        String value = configured == null || configured.isBlank() ? KARAF_DATA + "/tftp" : configured.trim();
        if (value.contains(KARAF_DATA)) {
            value = value.replace(KARAF_DATA, karafData != null ? karafData : "data");
        }
        return Paths.get(value).toAbsolutePath().normalize();
    }
}
