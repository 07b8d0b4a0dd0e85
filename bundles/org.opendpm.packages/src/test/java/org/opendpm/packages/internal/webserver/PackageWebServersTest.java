package org.opendpm.packages.internal.webserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.RuleChain;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.ConflictException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.packages.DownloadReport;
import org.opendpm.api.packages.DownloadSettings;
import org.opendpm.api.packages.PackageWebServer;
import org.opendpm.api.packages.PackageWebServers;
import org.opendpm.api.packages.RegisteredPackage;
import org.opendpm.packages.internal.TestDatabase;
import org.opendpm.packages.internal.registry.JdbcPackages;
import org.opendpm.packages.internal.repository.SignedRepository;
import org.opendpm.store.Database;

/**
 * Package Web Servers (PKG-3) over a real database and a real HTTP server (python3's http.server on 127.0.0.1)
 * serving signed repositories from a temporary folder.
 */
public class PackageWebServersTest {

    private static final TemporaryFolder WWW = new TemporaryFolder();
    private static final PythonHttpServer HTTP = new PythonHttpServer(() -> WWW.getRoot().toPath().resolve("www"));

    @ClassRule
    public static final RuleChain SERVED = RuleChain.outerRule(WWW).around(HTTP);

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private static Database db;
    private static int run;
    private Path keys;
    private Path images;
    private JdbcPackages packages;
    private MutableClock clock;
    private JdbcPackageWebServers servers;
    private final AtomicReference<CountDownLatch> gate = new AtomicReference<>();

    @BeforeClass
    public static void database() {
        db = TestDatabase.create();
    }

    @Before
    public void setUp() throws IOException {
        db.inTransaction(c -> {
            try (var s = c.createStatement()) {
                s.executeUpdate("DELETE FROM package_download_report");
                s.executeUpdate("DELETE FROM package_web_server");
                s.executeUpdate("DELETE FROM software_package");
                s.executeUpdate("UPDATE package_download_setting SET automatic = FALSE, daily_time = '03:00',"
                        + " last_automatic_day = NULL");
            }
            return null;
        });
        keys = tmp.newFolder("keys").toPath();
        images = tmp.newFolder("images").toPath();
        clock = new MutableClock(Instant.parse("2026-03-01T02:00:00Z"));
        packages = new JdbcPackages(db, () -> images, clock, 1 << 20);
        servers = new JdbcPackageWebServers(db, packages, clock, () -> keys, () -> {
            CountDownLatch g = gate.get();
            if (g != null) {
                await(g);
            }
            return images.resolve(".packages").resolve(".download");
        });
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A fresh repository folder served over HTTP, signed by a new key. */
    private SignedRepository repository() throws Exception {
        return new SignedRepository(WWW.getRoot().toPath().resolve("www").resolve("repo" + (++run)));
    }

    private URI url(SignedRepository r) {
        return URI.create(HTTP.url(r.folder().getFileName() + "/"));
    }

    private PackageWebServer server(String id, SignedRepository r) {
        return servers.add(new PackageWebServer(id, url(r), true, null));
    }

    private DownloadReport download() throws Exception {
        return servers.start().get(60, TimeUnit.SECONDS);
    }

    private List<String> names() {
        return packages.list().stream().map(RegisteredPackage::name).toList();
    }

    @Test
    public void aSignedRepositoryIsDownloadedAndItsFilesRegistered() throws Exception {
        SignedRepository r = repository();
        String sha = r.deb("openssl-fix", "openssl_3.0.15.deb", "the deb's bytes");
        r.deb("kernel-fix", "linux.deb", "kernel bytes");
        r.publish();
        r.trustIn(keys, "publisher.pem");
        server("packWS", r);

        DownloadReport overall = download();

        assertThat(overall.success()).as(overall.message()).isTrue();
        assertThat(overall.added()).containsExactly("openssl-fix", "kernel-fix");
        assertThat(names()).containsExactlyInAnyOrder("openssl-fix", "kernel-fix");
        RegisteredPackage p = packages.find("openssl-fix").orElseThrow();
        assertThat(p.files()).singleElement().satisfies(f -> {
            assertThat(f.name()).isEqualTo("openssl_3.0.15.deb");
            assertThat(f.sha256()).isEqualTo(sha);
        });
        assertThat(packages.verifiedFiles(p.id())).singleElement()
                .satisfies(f -> assertThat(Files.readString(f)).isEqualTo("the deb's bytes"));
        DownloadReport latest = servers.latest("PACKWS").orElseThrow();
        assertThat(latest.scope()).isEqualTo("packWS");
        assertThat(latest.success()).isTrue();
        assertThat(latest.added()).containsExactly("openssl-fix", "kernel-fix");
        assertThat(servers.latest(PackageWebServers.OVERALL)).contains(overall);
        assertThat(images.resolve(".packages").resolve(".download")).isEmptyDirectory();

        // A second download with nothing changed changes nothing.
        DownloadReport again = download();
        assertThat(again.added()).isEmpty();
        assertThat(again.updated()).isEmpty();
        assertThat(again.deleted()).isEmpty();
    }

    @Test
    public void aChangedOrRemovedPackageIsUpdatedOrDeletedButNeverAnAdministratorsOwn() throws Exception {
        SignedRepository r = repository();
        r.deb("a", "a.deb", "a1");
        r.deb("b", "b.deb", "b1");
        r.publish();
        r.trustIn(keys, "publisher.pem");
        server("packWS", r);
        assertThat(download().success()).isTrue();
        RegisteredPackage own = packages.create(packageLike(packages.find("a").orElseThrow(), "mine"));

        r.remove("a");
        r.remove("b");
        String newSha = r.deb("b", "b.deb", "b2, a fixed build");
        r.publish();
        DownloadReport report = download();

        assertThat(report.success()).as(report.message()).isTrue();
        assertThat(report.deleted()).containsExactly("a");
        assertThat(report.updated()).containsExactly("b");
        assertThat(names()).containsExactlyInAnyOrder("b", "mine");
        assertThat(packages.find("b").orElseThrow().files()).singleElement()
                .satisfies(f -> assertThat(f.sha256()).isEqualTo(newSha));
        assertThat(packages.get(own.id()).name()).isEqualTo("mine");
    }

    private static org.opendpm.api.packages.PackageSpec packageLike(RegisteredPackage p, String name) {
        var s = p.spec();
        return new org.opendpm.api.packages.PackageSpec(name, s.kind(), s.version(), s.msNumber(), s.displayName(),
                s.packageId(), s.urgency(), s.installer(), s.command(), s.successCodes(), s.rebootCodes(),
                s.timeoutMinutes(), s.description());
    }

    @Test
    public void aTamperedFileIsRefusedAndNothingOfThatDownloadIsRegistered() throws Exception {
        SignedRepository r = repository();
        r.deb("good", "good.deb", "good bytes");
        String sha = r.deb("bad", "bad.deb", "original bytes");
        r.publish();
        r.trustIn(keys, "publisher.pem");
        server("packWS", r);
        Files.writeString(r.folder().resolve("files").resolve(sha), "evil!bytes!!!!", StandardCharsets.UTF_8);

        DownloadReport overall = download();

        assertThat(overall.success()).isFalse();
        assertThat(names()).isEmpty();
        DownloadReport latest = servers.latest("packWS").orElseThrow();
        assertThat(latest.success()).isFalse();
        assertThat(latest.message()).contains("bad.deb").contains("the index states: it was changed");
        assertThat(latest.added()).isEmpty();
        assertThat(overall.message()).contains("1 of 1 server(s) failed").contains("packWS: ");
        assertThat(images.resolve(".packages").resolve(".download")).isEmptyDirectory();
    }

    @Test
    public void aTamperedIndexAnUnsignedOneAndAnUntrustedKeyAreRefused() throws Exception {
        SignedRepository r = repository();
        r.deb("a", "a.deb", "a");
        byte[] index = r.publish();
        r.trustIn(keys, "publisher.pem");
        server("packWS", r);
        String changed = new String(index, StandardCharsets.UTF_8).replace("\"HIGH\"", "\"HIGHEST\"");
        Files.writeString(r.folder().resolve("index.json"), changed);

        assertThat(download().success()).isFalse();
        assertThat(servers.latest("packWS").orElseThrow().message()).contains("signature is not by any of the 1"
                + " trusted keys");

        r.publish();
        Files.delete(r.folder().resolve("index.json.sig"));
        assertThat(download().success()).isFalse();
        assertThat(servers.latest("packWS").orElseThrow().message()).contains("it is unsigned")
                .contains("index.json.sig does not exist (404)");

        r.publish();
        Files.delete(keys.resolve("publisher.pem"));
        new SignedRepository(tmp.newFolder("other").toPath()).trustIn(keys, "other.pem");
        assertThat(download().success()).isFalse();
        assertThat(servers.latest("packWS").orElseThrow().message()).contains("key not trusted here");
        assertThat(names()).isEmpty();
    }

    /** The guide's example: 0PackWS before ABCD, AD, APackWS, BPackWS and packWS, whatever the order of adding. */
    @Test
    public void serversAreVisitedInTheOrderOfTheirIds() throws Exception {
        SignedRepository first = repository();
        first.deb("from-packWS", "p.deb", "p");
        first.publish();
        first.trustIn(keys, "first.pem");
        SignedRepository second = repository();
        second.deb("from-0PackWS", "z.deb", "z");
        second.publish();
        second.trustIn(keys, "second.pem");
        server("packWS", first);
        server("0PackWS", second);

        DownloadReport overall = download();

        assertThat(overall.success()).as(overall.message()).isTrue();
        assertThat(overall.added()).containsExactly("from-0PackWS", "from-packWS");
        assertThat(overall.message()).endsWith("0PackWS, packWS");
        assertThat(packages.find("from-0PackWS").orElseThrow().id())
                .isLessThan(packages.find("from-packWS").orElseThrow().id());
        assertThat(servers.list()).extracting(PackageWebServer::id).containsExactly("0PackWS", "packWS");
    }

    @Test
    public void theSettingsAndServersAreLockedWhileADownloadRuns() throws Exception {
        SignedRepository r = repository();
        r.deb("a", "a.deb", "a");
        r.publish();
        r.trustIn(keys, "publisher.pem");
        server("packWS", r);
        CountDownLatch release = new CountDownLatch(1);
        gate.set(release);

        var running = servers.start();
        assertThat(servers.downloading()).isTrue();
        DownloadSettings s = new DownloadSettings(true, LocalTime.of(4, 0));
        assertThatThrownBy(() -> servers.changeSettings(s)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("A package download is running");
        assertThatThrownBy(() -> server("other", r)).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> servers.delete("packWS")).isInstanceOf(ConflictException.class);
        assertThatThrownBy(servers::downloadNow).isInstanceOf(ConflictException.class);
        release.countDown();

        assertThat(running.get(60, TimeUnit.SECONDS).success()).isTrue();
        assertThat(servers.downloading()).isFalse();
        assertThat(servers.changeSettings(s)).isEqualTo(s);
    }

    @Test
    public void theAutomaticDownloadRunsOnceADayAtItsTime() throws Exception {
        SignedRepository r = repository();
        r.deb("a", "a.deb", "a");
        r.publish();
        r.trustIn(keys, "publisher.pem");
        server("packWS", r);
        assertThat(servers.tick()).isEmpty(); // not automatic
        servers.changeSettings(new DownloadSettings(true, LocalTime.of(3, 0)));

        clock.set(Instant.parse("2026-03-01T02:59:00Z"));
        assertThat(servers.tick()).isEmpty();
        clock.set(Instant.parse("2026-03-01T03:00:00Z"));
        assertThat(servers.tick()).hasValueSatisfying(f -> assertThat(f.join().added()).containsExactly("a"));
        clock.set(Instant.parse("2026-03-01T23:00:00Z"));
        assertThat(servers.tick()).isEmpty();
        clock.set(Instant.parse("2026-03-02T03:00:30Z"));
        assertThat(servers.tick()).hasValueSatisfying(f -> assertThat(f.join().success()).isTrue());
    }

    @Test
    public void serverIdsAndUrlsAreChecked() {
        assertThatThrownBy(() -> servers.add(new PackageWebServer("pack-WS", URI.create("http://h/"), true, null)))
                .isInstanceOf(ValidationException.class).hasMessageContaining("letters and digits");
        assertThatThrownBy(() -> servers.add(new PackageWebServer("x".repeat(33), URI.create("http://h/"), true,
                null))).hasMessageContaining("1 to 32");
        assertThatThrownBy(() -> servers.add(new PackageWebServer("a", URI.create("ftp://h/"), true, null)))
                .hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> servers.add(new PackageWebServer("a", URI.create("http://u:p@h/"), true, null)))
                .hasMessageContaining("no user");
        servers.add(new PackageWebServer("packWS", URI.create("http://127.0.0.1:1/"), true, null));
        assertThatThrownBy(() -> servers.add(new PackageWebServer("PACKws", URI.create("http://h/"), true, null)))
                .isInstanceOf(ConflictException.class).hasMessageContaining("packWS exists already");
        assertThat(servers.update(new PackageWebServer("PACKWS", URI.create("https://h/repo/"), false, null)))
                .satisfies(s -> {
                    assertThat(s.id()).isEqualTo("packWS");
                    assertThat(s.enabled()).isFalse();
                });
        assertThat(servers.latest("packWS")).isEmpty();
        assertThatThrownBy(() -> DownloadSettings.time("24:00")).hasMessageContaining("HH:MM");
        assertThat(DownloadSettings.time("07:30")).isEqualTo(LocalTime.of(7, 30));
    }

    @Test
    public void theGuidesExampleOrder() {
        List<String> added = List.of("packWS", "BPackWS", "APackWS", "AD", "0PackWS", "ABCD");
        assertThat(added.stream().sorted(PackageWebServers.ID_ORDER).toList())
                .containsExactly("0PackWS", "ABCD", "AD", "APackWS", "BPackWS", "packWS");
    }

    @Test
    public void longChangeListsAreCutWithACount() {
        List<String> many = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "package-" + i).toList();
        String text = DownloadReports.lines(many);
        assertThat(text.length()).isLessThanOrEqualTo(4000);
        assertThat(text).startsWith("package-0\n").endsWith("more)");
        assertThat(DownloadReports.lines(List.of("a", "b"))).isEqualTo("a\nb");
        assertThat(Optional.of(DownloadReports.lines(List.of()))).contains("");
    }

    /** A clock the test moves; UTC unless asked for another zone, so daily times read as written. */
    static final class MutableClock extends Clock {
        private final java.util.concurrent.atomic.AtomicReference<Instant> now;
        private final ZoneId zone;

        MutableClock(Instant now) {
            this(new java.util.concurrent.atomic.AtomicReference<>(now), ZoneOffset.UTC);
        }

        private MutableClock(java.util.concurrent.atomic.AtomicReference<Instant> now, ZoneId zone) {
            this.now = now;
            this.zone = zone;
        }

        void set(Instant now) {
            this.now.set(now);
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        /** The same moving time seen in another zone. */
        @Override
        public Clock withZone(ZoneId zone) {
            return new MutableClock(now, zone);
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }
}
