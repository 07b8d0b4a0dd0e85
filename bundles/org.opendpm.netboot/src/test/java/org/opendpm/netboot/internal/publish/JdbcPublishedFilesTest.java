package org.opendpm.netboot.internal.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.Assert.fail;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.ValidationException;
import org.opendpm.api.boot.PublishedFiles;
import org.opendpm.netboot.internal.LogCapture;
import org.opendpm.netboot.internal.TestBoot;
import org.opendpm.netboot.internal.http.HttpBoot;
import org.opendpm.netboot.internal.http.HttpBootTestServer;
import org.opendpm.netboot.internal.intent.IntentFixture;
import org.opendpm.netboot.internal.tftp.FileJail;

/** Files published for executions, in the database and served over real HTTP by the boot endpoint. */
public class JdbcPublishedFilesTest {

    private static final String KS = "text/plain; charset=utf-8";

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final IntentFixture f = new IntentFixture();
    private final JdbcPublishedFiles files = new JdbcPublishedFiles(f.database, f.clock);
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpBootTestServer server;

    @Before
    public void start() throws Exception {
        Path root = tmp.newFolder("root").toPath();
        server = new HttpBootTestServer(new HttpBoot(TestBoot.withRegistrationMenu().service(),
                new FileJail(root, ""), files), "127.0.0.1");
    }

    @After
    public void stop() {
        server.close();
    }

    private Instant in(long seconds) {
        return f.clock.instant().plusSeconds(seconds);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String tokenOf(String path) {
        return path.split("/")[4];
    }

    @Test
    public void aPublishedFileIsServedAtItsTokenPath() throws Exception {
        byte[] ks = "install\nurl --url http://10.0.2.2/rhel9\n".getBytes(StandardCharsets.UTF_8);
        String path = files.publish(41, "web01-ks.cfg", ks, KS, in(600));
        assertThat(path).matches("/opendpm/boot/published/[A-Za-z0-9_-]{43}/web01-ks\\.cfg");

        HttpResponse<byte[]> r = get(path);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(ks);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(KS);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        HttpResponse<byte[]> part = get(path, "Range", "bytes=0-6");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(new String(part.body(), StandardCharsets.UTF_8)).isEqualTo("install");

        // Each publish has its own token, even for the same name.
        String again = files.publish(41, "web01-ks.cfg", ks, KS, in(600));
        assertThat(tokenOf(again)).isNotEqualTo(tokenOf(path));
    }

    @Test
    public void unknownTokensOtherNamesAndListingsAreNotFoundAlike() throws Exception {
        String path = files.publish(41, "unattend.xml", "<unattend/>".getBytes(StandardCharsets.UTF_8),
                "application/xml", in(600));
        String token = tokenOf(path);
        String wrong = (token.charAt(0) == 'A' ? "B" : "A") + token.substring(1);
        String base = HttpBootTestServer.PREFIX + "/published/";
        byte[] notFound = get(base + wrong + "/unattend.xml").body();
        for (String p : List.of(base + wrong + "/unattend.xml", base + token + "/other.xml", base + token + "/",
                base + token, base, base + token + "/unattend.xml/x", base + "short/unattend.xml",
                HttpBootTestServer.PREFIX + "/published")) {
            HttpResponse<byte[]> r = get(p);
            assertThat(r.statusCode()).as(p).isEqualTo(404);
            assertThat(r.body()).as(p).isEqualTo(notFound);
        }
        assertThat(get(path).statusCode()).isEqualTo(200);
        // Other spellings of the same path reach the same file; a '..' is refused before any lookup.
        assertThat(get(path.replace("/published/", "//published/./")).statusCode()).isEqualTo(200);
        assertThat(get(base + "x/../" + token + "/unattend.xml").statusCode()).isEqualTo(403);
    }

    @Test
    public void anExpiredFileIsNotFoundAndDeletedByTheNextPublish() throws Exception {
        String path = files.publish(41, "ks.cfg", new byte[]{ 1 }, KS, in(60));
        HttpResponse<byte[]> unknown = get(HttpBootTestServer.PREFIX + "/published/" + "A".repeat(43) + "/ks.cfg");
        f.advance(60);
        HttpResponse<byte[]> expired = get(path);
        assertThat(expired.statusCode()).isEqualTo(404);
        assertThat(expired.body()).isEqualTo(unknown.body()); // which of the two, the answer does not say
        assertThat(rows()).isEqualTo(1);
        files.publish(42, "ks.cfg", new byte[]{ 2 }, KS, in(60));
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    public void withdrawRemovesEveryFileOfTheExecutionOnly() throws Exception {
        String a = files.publish(41, "ks.cfg", new byte[]{ 1 }, KS, in(600));
        String b = files.publish(41, "boot.txt", new byte[]{ 2 }, KS, in(600));
        String other = files.publish(42, "ks.cfg", new byte[]{ 3 }, KS, in(600));
        assertThat(files.withdraw(41)).isEqualTo(2);
        assertThat(files.withdraw(41)).isZero();
        assertThat(get(a).statusCode()).isEqualTo(404);
        assertThat(get(b).statusCode()).isEqualTo(404);
        assertThat(get(other).body()).containsExactly(3);
    }

    @Test
    public void sizeIsBoundedAtMaxBytes() throws Exception {
        byte[] max = new byte[PublishedFiles.MAX_BYTES];
        new Random(3).nextBytes(max);
        String path = files.publish(41, "image.bin", max, "application/octet-stream", in(600));
        assertThat(get(path).body()).isEqualTo(max);
        assertThatThrownBy(() -> files.publish(41, "big.bin", new byte[PublishedFiles.MAX_BYTES + 1],
                "application/octet-stream", in(600))).isInstanceOfSatisfying(ValidationException.class,
                        e -> assertThat(e.field()).isEqualTo("content"))
                .hasMessageContaining(Integer.toString(PublishedFiles.MAX_BYTES));
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    public void namesMustBePlainFileNames() {
        assertThat(files.publish(41, "a".repeat(255), new byte[0], KS, in(600))).endsWith("/" + "a".repeat(255));
        for (String bad : Arrays.asList("a/b", "a\\b", "..", ".", "a..b", "../ks.cfg", "ks.cfg\n", "ks\u0000.cfg",
                "", "a".repeat(256), "my ks.cfg", "ks;jsessionid=1", "ks$net0.cfg", "k%2fs", "ks?.cfg", "ks#1",
                "kickstart\u00e9.cfg", null)) {
            assertThatThrownBy(() -> files.publish(41, bad, new byte[0], KS, in(600))).as(String.valueOf(bad))
                    .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("name"));
        }
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    public void mediaTypeContentAndExpiryAreChecked() {
        for (String bad : Arrays.asList("text/plain\r\nSet-Cookie: x=1", "text", "", "text/plain; charset", null)) {
            assertThatThrownBy(() -> files.publish(41, "ks.cfg", new byte[0], bad, in(600))).as(String.valueOf(bad))
                    .isInstanceOfSatisfying(ValidationException.class,
                            e -> assertThat(e.field()).isEqualTo("mediaType"));
        }
        assertThatThrownBy(() -> files.publish(41, "ks.cfg", null, KS, in(600)))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("content"));
        assertThatThrownBy(() -> files.publish(41, "ks.cfg", new byte[0], KS, in(0)))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("expiresAt"));
        assertThat(rows()).isZero();
    }

    @Test
    public void theTokenIsNeverStored() {
        String token = tokenOf(files.publish(41, "ks.cfg", "x".getBytes(StandardCharsets.UTF_8), KS, in(600)));
        List<String> stored = f.database.inTransaction(c -> {
            List<String> values = new java.util.ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT token_hash, name, media_type"
                    + " FROM published_file")) {
                while (rs.next()) {
                    values.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
                }
            }
            return values;
        });
        assertThat(stored).singleElement().asString().doesNotContain(token).contains("ks.cfg");
    }

    @Test
    public void theTokenIsNeverLogged() throws Exception {
        String[] path = new String[1];
        String log = LogCapture.during(() -> {
            path[0] = files.publish(41, "ks.cfg", "x".getBytes(StandardCharsets.UTF_8), KS, in(600));
            assertThat(get(path[0]).statusCode()).isEqualTo(200);
            assertThat(get(path[0].replace("/ks.cfg", "/other.cfg")).statusCode()).isEqualTo(404);
            assertThat(get(path[0].replace("/ks.cfg", "/../ks.cfg")).statusCode()).isEqualTo(403);
            assertThat(get(path[0].replace("/published/", "/publishe/")).statusCode()).isEqualTo(404);
            files.withdraw(41);
            assertThat(get(path[0]).statusCode()).isEqualTo(404);
        }, JdbcPublishedFiles.class, HttpBoot.class);
        assertThat(log).contains("Published ks.cfg").contains("unknown or expired token").contains("Withdrew 1");
        assertThat(log).doesNotContain(tokenOf(path[0]));
    }

    /** curl from Debian fetches a published file as an installer would, and gets 404 for a wrong token. */
    @Test
    public void curlFetchesAPublishedFile() throws Exception {
        requireCurl();
        byte[] ks = "text\nreboot\n".getBytes(StandardCharsets.UTF_8);
        String path = files.publish(41, "ks.cfg", ks, KS, in(600));
        Path out = tmp.getRoot().toPath().resolve("ks.cfg");
        assertThat(curl("-sS", "-f", "-o", out.toString(), "-w", "%{http_code} %{content_type}", url(path)))
                .isEqualTo("200 " + KS);
        assertThat(Files.readAllBytes(out)).isEqualTo(ks);
        String wrong = path.replace(tokenOf(path), "A".repeat(43));
        assertThat(curl("-sS", "-o", "/dev/null", "-w", "%{http_code}", url(wrong))).isEqualTo("404");
    }

    /** Runs curl, which must exit 0, and returns what it wrote to standard output. */
    private String curl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "--max-time", "20"));
        cmd.addAll(List.of(args));
        Path stdout = tmp.newFile().toPath();
        Path stderr = tmp.newFile().toPath();
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(stderr)).isZero();
        return Files.readString(stdout).strip();
    }

    private static void requireCurl() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "curl"))) {
                return;
            }
        }
        String message = "HTTP client 'curl' not found: install the Debian package curl (apt-get install -y curl)";
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        Assume.assumeTrue(message, false);
    }

    private long rows() {
        return f.database.inTransaction(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM published_file")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
