package org.opendpm.packages.internal.webserver;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.packages.DownloadReport;
import org.opendpm.api.packages.DownloadSettings;
import org.opendpm.api.packages.PackageService;
import org.opendpm.api.packages.PackageWebServer;
import org.opendpm.api.packages.PackageWebServers;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.packages.internal.repository.RepositoryClient;
import org.opendpm.packages.internal.repository.TrustedKeys;
import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Package Web Servers (PKG-3) in {@code package_web_server}, the download settings in {@code
 * package_download_setting}, the Latest Download Information in {@code package_download_report} (changeSet {@code
 * 13-package-web-servers}). Downloads run on one thread of their own, one at a time; whether one runs is this
 * process's state, kept here on purpose, and every change of servers or settings checks it under the same monitor
 * that starts a download, so none slips in. A timer checks every 30 seconds whether the daily time has come; the day
 * it last ran is in the database, so a restart after that time does not run it twice.
 */
@Component(service = PackageWebServers.class, configurationPid = "org.opendpm.packages.webservers")
@Designate(ocd = JdbcPackageWebServers.Config.class)
public class JdbcPackageWebServers implements PackageWebServers {

    @ObjectClassDefinition(name = "OpenDPM Package Web Servers", description = "Downloads from Package Web Servers"
            + " (PKG-3)")
    public @interface Config {
        @AttributeDefinition(description = "Folder of the trusted Ed25519 public keys (*.pem); empty means"
                + " ${karaf.etc}/opendpm/package-keys")
        String keysFolder() default "";
    }

    private static final Logger LOG = LoggerFactory.getLogger(JdbcPackageWebServers.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{1," + MAX_ID + "}");
    private static final int MAX_URL = 1024;
    private static final int MAX_MESSAGE = 2000;

    private final Database database;
    private final PackageService registry;
    private final Clock clock;
    private final Supplier<Path> keysFolder;
    private final Supplier<Path> staging;
    private final HttpClient http;
    private final ScheduledExecutorService executor;
    private final DownloadReports reports;
    private final Object lock = new Object();
    private boolean running;

    @Activate
    public JdbcPackageWebServers(@Reference Database database, @Reference PackageService registry,
            @Reference ServerSettingsService settings, Config config) {
        this(database, registry, Clock.systemDefaultZone(), () -> keysFolder(config),
                () -> Path.of(settings.get().imageFolder(), ".packages", ".download"));
        executor.scheduleWithFixedDelay(this::tick, 30, 30, TimeUnit.SECONDS);
    }

    public JdbcPackageWebServers(Database database, PackageService registry, Clock clock, Supplier<Path> keysFolder,
            Supplier<Path> staging) {
        this.database = database;
        this.reports = new DownloadReports(database);
        this.registry = registry;
        this.clock = clock;
        this.keysFolder = keysFolder;
        this.staging = staging;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "opendpm-package-download");
            t.setDaemon(true);
            return t;
        });
    }

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
    }

    private static Path keysFolder(Config config) {
        if (!config.keysFolder().isBlank()) {
            return Path.of(config.keysFolder());
        }
        return Path.of(System.getProperty("karaf.etc", "etc"), "opendpm", "package-keys");
    }

    // ------------------------------------------------------------------------------------------------ servers

    @Override
    public List<PackageWebServer> list() {
        List<PackageWebServer> out = database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT server_id, url, enabled, added_at"
                    + " FROM package_web_server")) {
                return read(ps);
            }
        });
        out.sort((a, b) -> ID_ORDER.compare(a.id(), b.id()));
        return out;
    }

    @Override
    public PackageWebServer get(String id) {
        return find(id).orElseThrow(() -> new NotFoundException("No Package Web Server " + id));
    }

    private Optional<PackageWebServer> find(String id) {
        if (id == null || id.length() > MAX_ID) {
            return Optional.empty();
        }
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT server_id, url, enabled, added_at"
                    + " FROM package_web_server WHERE id_key = ?")) {
                ps.setString(1, id.toLowerCase(Locale.ROOT));
                return read(ps).stream().findFirst();
            }
        });
    }

    @Override
    public PackageWebServer add(PackageWebServer server) {
        check(server);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        synchronized (lock) {
            refuseWhileRunning();
            database.inTransaction(c -> {
                lockSettings(c);
                try (PreparedStatement ps = c.prepareStatement("SELECT server_id FROM package_web_server"
                        + " WHERE id_key = ?")) {
                    ps.setString(1, server.id().toLowerCase(Locale.ROOT));
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            throw new ConflictException("A Package Web Server with ID " + rs.getString(1)
                                    + " exists already (IDs are compared ignoring case)");
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM package_web_server");
                        ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) >= MAX_SERVERS) {
                        throw new ConflictException("At most " + MAX_SERVERS + " Package Web Servers");
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO package_web_server (server_id, id_key,"
                        + " url, enabled, added_at) VALUES (?, ?, ?, ?, ?)")) {
                    ps.setString(1, server.id());
                    ps.setString(2, server.id().toLowerCase(Locale.ROOT));
                    ps.setString(3, server.url().toString());
                    ps.setBoolean(4, server.enabled());
                    ps.setTimestamp(5, Timestamp.from(now));
                    ps.executeUpdate();
                }
                return null;
            });
        }
        LOG.info("Package Web Server {} added ({})", server.id(), server.url());
        return new PackageWebServer(server.id(), server.url(), server.enabled(), now);
    }

    @Override
    public PackageWebServer update(PackageWebServer server) {
        check(server);
        synchronized (lock) {
            refuseWhileRunning();
            database.inTransaction(c -> {
                lockSettings(c);
                try (PreparedStatement ps = c.prepareStatement("UPDATE package_web_server SET url = ?, enabled = ?"
                        + " WHERE id_key = ?")) {
                    ps.setString(1, server.url().toString());
                    ps.setBoolean(2, server.enabled());
                    ps.setString(3, server.id().toLowerCase(Locale.ROOT));
                    if (ps.executeUpdate() == 0) {
                        throw new NotFoundException("No Package Web Server " + server.id());
                    }
                }
                return null;
            });
        }
        LOG.info("Package Web Server {} changed ({}, {})", server.id(), server.url(),
                server.enabled() ? "enabled" : "disabled");
        return get(server.id());
    }

    @Override
    public void delete(String id) {
        PackageWebServer s = get(id);
        synchronized (lock) {
            refuseWhileRunning();
            database.inTransaction(c -> {
                lockSettings(c);
                for (String sql : List.of("DELETE FROM package_download_report WHERE scope = ?",
                        "DELETE FROM package_web_server WHERE server_id = ?")) {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setString(1, s.id());
                        ps.executeUpdate();
                    }
                }
                return null;
            });
        }
        LOG.info("Package Web Server {} deleted; the packages it registered stay", s.id());
    }

    static void check(PackageWebServer s) {
        if (s == null) {
            throw new ValidationException("server", "a Package Web Server is required");
        }
        if (!ID.matcher(s.id()).matches()) {
            throw new ValidationException("id", "a server ID is 1 to " + MAX_ID + " letters and digits");
        }
        URI u = s.url();
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!u.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null
                || u.getRawQuery() != null || u.getRawFragment() != null || u.getRawUserInfo() != null) {
            throw new ValidationException("url", "the URL must be http:// or https:// with a host, and no user,"
                    + " query or fragment");
        }
        if (u.toString().length() > MAX_URL) {
            throw new ValidationException("url", "a URL has at most " + MAX_URL + " characters");
        }
    }

    // ------------------------------------------------------------------------------------------------ settings

    @Override
    public DownloadSettings settings() {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT automatic, daily_time FROM"
                    + " package_download_setting WHERE id = 1"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new DownloadSettings(rs.getBoolean(1), LocalTime.parse(rs.getString(2)));
            }
        });
    }

    @Override
    public DownloadSettings changeSettings(DownloadSettings settings) {
        if (settings == null) {
            throw new ValidationException("settings", "the download settings are required");
        }
        LocalTime time = settings.time().truncatedTo(ChronoUnit.MINUTES);
        synchronized (lock) {
            refuseWhileRunning();
            database.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE package_download_setting SET automatic = ?,"
                        + " daily_time = ? WHERE id = 1")) {
                    ps.setBoolean(1, settings.automatic());
                    ps.setString(2, time.toString());
                    ps.executeUpdate();
                }
                return null;
            });
        }
        LOG.info("Package download settings: automatic {}, daily at {}", settings.automatic(), time);
        return new DownloadSettings(settings.automatic(), time);
    }

    private void refuseWhileRunning() {
        if (running) {
            throw new ConflictException("A package download is running; the download settings and the Package Web"
                    + " Servers can be changed once it has ended");
        }
    }

    private static void lockSettings(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE package_download_setting SET id = id WHERE id = 1")) {
            ps.executeUpdate();
        }
    }

    // ------------------------------------------------------------------------------------------------ downloads

    @Override
    public boolean downloading() {
        synchronized (lock) {
            return running;
        }
    }

    @Override
    public void downloadNow() {
        start();
    }

    /** Starts a download on the download thread; its future completes with the overall report. */
    CompletableFuture<DownloadReport> start() {
        synchronized (lock) {
            refuseWhileRunning();
            running = true;
        }
        CompletableFuture<DownloadReport> done = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                DownloadReport report = null;
                Throwable failure = null;
                try {
                    report = downloadAll();
                } catch (RuntimeException | Error e) {
                    LOG.error("Package download failed", e);
                    failure = e;
                } finally {
                    // Unlocked before the caller hears of the end, so it may change the settings right away.
                    synchronized (lock) {
                        running = false;
                    }
                }
                if (failure == null) {
                    done.complete(report);
                } else {
                    done.completeExceptionally(failure);
                }
            });
        } catch (RuntimeException e) {
            synchronized (lock) {
                running = false;
            }
            throw e;
        }
        return done;
    }

    /**
     * Starts the automatic download when the daily time has come and it has not run today; the day is marked first,
     * so a download that fails is tried again the next day, not every 30 seconds.
     */
    Optional<CompletableFuture<DownloadReport>> tick() {
        try {
            DownloadSettings s = settings();
            LocalDateTime now = LocalDateTime.now(clock);
            if (!s.automatic() || now.toLocalTime().isBefore(s.time())) {
                return Optional.empty();
            }
            LocalDate today = now.toLocalDate();
            boolean due = database.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE package_download_setting"
                        + " SET last_automatic_day = ? WHERE id = 1 AND (last_automatic_day IS NULL"
                        + " OR last_automatic_day < ?)")) {
                    ps.setDate(1, Date.valueOf(today));
                    ps.setDate(2, Date.valueOf(today));
                    return ps.executeUpdate() == 1;
                }
            });
            if (!due) {
                return Optional.empty();
            }
            LOG.info("Automatic package download of {} starts", today);
            return Optional.of(start());
        } catch (RuntimeException e) {
            // The timer must survive: a failed check is tried again at the next tick.
            LOG.warn("Automatic package download not started: {}", e.getMessage());
            return Optional.empty();
        }
    }

    private DownloadReport downloadAll() {
        Instant started = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        List<String> added = new ArrayList<>();
        List<String> updated = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<PackageWebServer> servers = list().stream().filter(PackageWebServer::enabled).toList();
        List<TrustedKeys.Key> keys = null;
        String keyError = null;
        try {
            keys = TrustedKeys.load(keysFolder.get());
        } catch (IOException | RuntimeException e) {
            keyError = "the trusted keys cannot be read: " + e.getMessage();
        }
        for (PackageWebServer s : servers) {
            Instant from = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            DownloadReport r;
            if (keyError != null) {
                r = report(s.id(), false, from, keyError, List.of(), List.of(), List.of());
            } else {
                r = downloadOne(s, keys, from);
            }
            reports.save(r);
            added.addAll(r.added());
            updated.addAll(r.updated());
            deleted.addAll(r.deleted());
            if (!r.success()) {
                failures.add(s.id() + ": " + r.message());
            }
        }
        String message = servers.isEmpty()
                ? "no enabled Package Web Server"
                : failures.isEmpty()
                        ? servers.size() + " server(s) downloaded: "
                                + String.join(", ", servers.stream().map(PackageWebServer::id).toList())
                        : failures.size() + " of " + servers.size() + " server(s) failed; " + String.join("; ",
                                failures);
        DownloadReport overall = report(OVERALL, failures.isEmpty(), started, message, added, updated, deleted);
        reports.save(overall);
        LOG.info("Package download ended: {}", message);
        return overall;
    }

    private DownloadReport downloadOne(PackageWebServer s, List<TrustedKeys.Key> keys, Instant from) {
        try {
            ServerDownload.Changes c = new ServerDownload(database, registry, new RepositoryClient(http, s.url()),
                    keys, staging.get(), s.id()).run();
            String message = "added " + c.added().size() + ", updated " + c.updated().size() + ", deleted "
                    + c.deleted().size();
            LOG.info("Package Web Server {}: {}", s.id(), message);
            return report(s.id(), true, from, message, c.added(), c.updated(), c.deleted());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return report(s.id(), false, from, "interrupted", List.of(), List.of(), List.of());
        } catch (Exception e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.warn("Package Web Server {} ({}): download refused: {}", s.id(), s.url(), why);
            return report(s.id(), false, from, why, List.of(), List.of(), List.of());
        }
    }

    private DownloadReport report(String scope, boolean success, Instant from, String message, List<String> added,
            List<String> updated, List<String> deleted) {
        return new DownloadReport(scope, success, from, clock.instant().truncatedTo(ChronoUnit.MILLIS),
                message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 1) + "…" : message, added,
                updated, deleted);
    }

    @Override
    public Optional<DownloadReport> latest(String scope) {
        if (scope == null || scope.length() > MAX_ID) {
            return Optional.empty();
        }
        String stored = scope.equals(OVERALL) ? OVERALL : find(scope).map(PackageWebServer::id).orElse(scope);
        return reports.latest(stored);
    }

    private static List<PackageWebServer> read(PreparedStatement ps) throws SQLException {
        List<PackageWebServer> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new PackageWebServer(rs.getString(1), URI.create(rs.getString(2)), rs.getBoolean(3),
                        rs.getTimestamp(4).toInstant()));
            }
        }
        return out;
    }
}
