package org.opendpm.netboot.internal.tftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Real TFTP clients from Debian (curl, atftp, tftp-hpa) against our server on 127.0.0.1:
 * every download is compared by SHA-256 (NET-1; the server's port is configurable, NET-5).
 * Files cover the edges: empty, one byte, around one block, several blocks, 1 MiB and one above
 * 32 MiB, which at 512-byte blocks has more than 65535 blocks, so block numbers roll over.
 *
 * <p>A missing client fails the test under CI (CI=true), naming the Debian package to install;
 * on a developer machine the test is skipped with that message.
 */
public class TftpClientsInteropTest {

    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();

    private static final Map<String, Integer> SIZES = new LinkedHashMap<>();
    static {
        SIZES.put("empty.bin", 0);
        SIZES.put("one.bin", 1);
        SIZES.put("511.bin", 511);
        SIZES.put("512.bin", 512);
        SIZES.put("513.bin", 513);
        SIZES.put("1468x5.bin", 1468 * 5);
        SIZES.put("1m.bin", (1 << 20) + 7);
    }
    private static final String BIG = "33m.bin";
    private static final int BIG_SIZE = (33 << 20) + 123;

    private static Path root;
    private static Path out;
    private static TftpServer server;
    private static int port;

    @BeforeClass
    public static void startServer() throws Exception {
        root = TMP.newFolder("root").toPath();
        out = TMP.newFolder("out").toPath();
        Files.createDirectories(root.resolve("upload"));
        Random random = new Random(42);
        for (Map.Entry<String, Integer> e : SIZES.entrySet()) {
            byte[] b = new byte[e.getValue()];
            random.nextBytes(b);
            Files.write(root.resolve(e.getKey()), b);
        }
        byte[] big = new byte[BIG_SIZE];
        random.nextBytes(big);
        Files.write(root.resolve(BIG), big);
        Files.writeString(root.resolve("text.txt"), "line one\nline two\r\nbare cr\r end\n");
        server = new TftpServer(TftpServerConfig.builder(root).port(0).writeFolder("upload").build(),
                (p, c) -> Optional.empty());
        server.start();
        port = server.localAddress().getPort();
    }

    @AfterClass
    public static void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    // ---- curl ----

    @Test
    public void curlDefaultBlockSize() throws Exception {
        require("curl", "curl");
        for (String name : curlFiles()) {
            download(name, out -> List.of("curl", "-sS", "-o", out, "tftp://127.0.0.1:" + port + "/" + name));
        }
    }

    @Test
    public void curlBlksize1468() throws Exception {
        require("curl", "curl");
        for (String name : curlFiles()) {
            download(name, out -> List.of("curl", "-sS", "--tftp-blksize", "1468", "-o", out,
                    "tftp://127.0.0.1:" + port + "/" + name));
        }
    }

    @Test
    public void curlUploadIntoTheWriteFolder() throws Exception {
        require("curl", "curl");
        Path src = root.resolve("1m.bin");
        run(List.of("curl", "-sS", "--tftp-blksize", "1468", "-T", src.toString(),
                "tftp://127.0.0.1:" + port + "/upload/curl.bin"));
        // no waiting: the server renames the upload into place before its final ACK
        assertThat(sha256(root.resolve("upload/curl.bin"))).isEqualTo(sha256(src));
    }

    // ---- atftp ----

    @Test
    public void atftpBlksize1468() throws Exception {
        require("atftp", "atftp");
        for (String name : allFiles()) {
            download(name, out -> atftp(name, out, "blksize 1468"));
        }
    }

    @Test
    public void atftpWindowsize16() throws Exception {
        require("atftp", "atftp");
        for (String name : allFiles()) {
            download(name, out -> atftp(name, out, "blksize 1468", "windowsize 16"));
        }
    }

    @Test
    public void atftpTsize() throws Exception {
        require("atftp", "atftp");
        for (String name : List.of("empty.bin", "513.bin", "1m.bin", BIG)) {
            download(name, out -> atftp(name, out, "tsize"));
        }
    }

    // ---- tftp-hpa ----

    @Test
    public void tftpHpaOctet() throws Exception {
        require("tftp", "tftp-hpa");
        for (String name : allFiles()) {
            download(name,
                    out -> List.of("tftp", "-m", "binary", "127.0.0.1", String.valueOf(port), "-c", "get", name, out));
        }
    }

    @Test
    public void tftpHpaNetasciiRoundTrip() throws Exception {
        require("tftp", "tftp-hpa");
        download("text.txt", out -> List.of("tftp", "-m", "netascii", "127.0.0.1", String.valueOf(port), "-c", "get",
                "text.txt", out));
    }

    @Test
    public void tftpHpaUpload() throws Exception {
        require("tftp", "tftp-hpa");
        Path src = root.resolve("1468x5.bin");
        run(List.of("tftp", "-m", "binary", "127.0.0.1", String.valueOf(port), "-c", "put", src.toString(),
                "upload/hpa.bin"));
        // no waiting: the server renames the upload into place before its final ACK
        assertThat(sha256(root.resolve("upload/hpa.bin"))).isEqualTo(sha256(src));
    }

    // ---- helpers ----

    private static List<String> allFiles() {
        List<String> names = new ArrayList<>(SIZES.keySet());
        names.add(BIG);
        return names;
    }

    /**
     * curl 7.88 cannot fetch an empty file over TFTP from any server (it fails with "getpeername()
     * failed with errno 107"; tftpd-hpa gets the same), so curl is not asked for it.
     */
    private static List<String> curlFiles() {
        List<String> names = allFiles();
        names.remove("empty.bin");
        return names;
    }

    private static List<String> atftp(String name, String out, String... options) {
        List<String> cmd = new ArrayList<>(List.of("atftp"));
        for (String o : options) {
            cmd.add("--option");
            cmd.add(o);
        }
        cmd.addAll(List.of("-g", "-r", name, "-l", out, "127.0.0.1", String.valueOf(port)));
        return cmd;
    }

    private interface Command {
        List<String> forOutput(String out);
    }

    private static void download(String name, Command command) throws Exception {
        Path target = out.resolve(name + "." + System.nanoTime());
        run(command.forOutput(target.toString()));
        assertThat(Files.exists(target)).as("%s written", name).isTrue();
        assertThat(sha256(target)).as("sha256 of %s", name).isEqualTo(sha256(root.resolve(name)));
        Files.delete(target);
    }

    private static void run(List<String> command) throws Exception {
        Path log = out.resolve("client.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + String.join(" ", command));
        }
        String output = Files.readString(log, StandardCharsets.ISO_8859_1);
        assertThat(p.exitValue()).as("%s\n%s", String.join(" ", command), output).isZero();
        // atftp and tftp-hpa may exit 0 after printing an error
        assertThat(output.toLowerCase()).as(String.join(" ", command)).doesNotContain("error")
                .doesNotContain("timeout");
    }

    private static String sha256(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0;) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fails under CI, skips elsewhere, when a client is not installed. */
    private static void require(String binary, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, binary))) {
                return;
            }
        }
        String message = "TFTP client '" + binary + "' not found: install the Debian package " + debianPackage
                + " (apt-get install -y " + debianPackage + ")";
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        Assume.assumeTrue(message, false);
    }
}
