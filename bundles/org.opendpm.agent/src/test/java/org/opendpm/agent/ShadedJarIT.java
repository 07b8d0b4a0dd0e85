package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import org.opendpm.agent.protocol.Message;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The shaded jar as shipped: runnable, self-contained, libraries relocated. */
public class ShadedJarIT {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static Path jar() {
        Path jar = Path.of(System.getProperty("agent.jar", "target/opendpm-agent.jar"));
        assertThat(jar).exists();
        return jar;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Test
    public void helpDescribesTheOptionsAndExitsZero() throws Exception {
        Process p = new ProcessBuilder(java(), "-jar", jar().toString(), "--help").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).contains("--server=HOST[:PORT]", "--allow-power", "--simulate=N", "\"simulated\"",
                "--simulate-exec", "--server-fingerprint").doesNotContain("WARN");
    }

    @Test
    public void badOptionExitsWithUsageError() throws Exception {
        Process p = new ProcessBuilder(java(), "-jar", jar().toString(), "--server", "h:99999")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("port 99999 is not between 1 and 65535");
    }

    @Test
    public void jacksonAndPicocliAreRelocated() throws Exception {
        List<String> stray = new ArrayList<>();
        List<String> natives = new ArrayList<>();
        try (JarFile jf = new JarFile(jar().toFile())) {
            for (var e : Collections.list(jf.entries())) {
                String n = e.getName();
                // zstd-jni keeps its names: its native code binds to them.
                if (n.endsWith(".class") && !n.startsWith("org/opendpm/agent/")
                        && !n.startsWith("com/github/luben/zstd/")) {
                    stray.add(n);
                }
                if (n.contains("libzstd-jni")) {
                    natives.add(n.substring(0, n.lastIndexOf('/')));
                }
            }
            assertThat(natives).as("only the Linux natives a Deploy-OS runs on")
                    .containsExactlyInAnyOrder("linux/amd64", "linux/aarch64");
            assertThat(jf.getEntry("org/opendpm/agent/shaded/image/Chunks.class")).isNotNull();
            assertThat(jf.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("org.opendpm.agent.Main");
            assertThat(jf.getEntry("org/opendpm/agent/shaded/jackson/core/JsonFactory.class")).isNotNull();
            // Only the streaming parser: no databind (reflection, java.desktop/java.sql in a jlinked runtime).
            assertThat(jf.getEntry("org/opendpm/agent/shaded/jackson/databind/ObjectMapper.class")).isNull();
            assertThat(jf.getEntry("org/opendpm/agent/shaded/protocol/MessageCodec.class")).isNotNull();
            assertThat(jf.getEntry("org/opendpm/agent/protocol/MessageCodec.class")).isNull();
            assertThat(jf.getEntry("org/opendpm/agent/shaded/picocli/CommandLine.class")).isNotNull();
        }
        assertThat(stray).isEmpty();
    }

    /**
     * The Deploy-OS runs the agent on a runtime jlinked from java.base, java.logging and jdk.crypto.ec only: the jar,
     * its JSON included, must work there — a Deploy-OS hello by token, a command and a stream.
     */
    @Test
    public void jarRunsInAMinimalJlinkedRuntimeInDeployOsMode() throws Exception {
        Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        if (!Files.isExecutable(jlink)) {
            String why = "no jlink in " + System.getProperty("java.home") + " (a JRE, not a JDK)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(why);
            }
            System.err.println("SKIPPED jarRunsInAMinimalJlinkedRuntimeInDeployOsMode: " + why);
            org.junit.Assume.assumeTrue(why, false);
        }
        Path runtime = tmp.getRoot().toPath().resolve("runtime");
        Process link = new ProcessBuilder(jlink.toString(), "--add-modules", "java.base,java.logging,jdk.crypto.ec",
                "--no-header-files", "--no-man-pages", "--output", runtime.toString()).redirectErrorStream(true)
                .start();
        String linkOut = new String(link.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(link.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(link.exitValue()).as(linkOut).isZero();
        Path javaBin = runtime.resolve("bin").resolve("java");
        Path state = tmp.newFolder("jlinked-state").toPath();
        byte[] data = new byte[3 * 1024 * 1024 + 5];
        new java.util.Random(1).nextBytes(data);
        Path disk = Files.write(state.resolve("disk.img"), data);
        Path cmdline = Files.writeString(tmp.getRoot().toPath().resolve("cmdline"), "quiet opendpm.token=tok-9 "
                + "opendpm.mac=52:54:00:00:00:97");
        try (TestServer server = new TestServer("server-a.p12")) {
            server.deployOsTokens.add("tok-9");
            Process installed = new ProcessBuilder(javaBin.toString(), "-jar", jar().toString(), "--server",
                    "127.0.0.1:" + server.port(), "--state", state.toString(), "--mac", "52:54:00:00:00:98")
                    .redirectErrorStream(true).redirectOutput(tmp.getRoot().toPath().resolve("jlinked.log").toFile())
                    .start();
            Process deployOs = null;
            try {
                TestServer.Conn c = server.awaitSession(Duration.ofSeconds(30));
                assertThat(((Message.CommandResult) c.request(id -> new Message.Command(id, "echo minimal", 10)))
                        .output()).isEqualTo("minimal\n");
                java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                long streamId = c.nextId();
                c.streams.put(5L, chunk -> {
                    got.write(chunk);
                    c.send(new Message.StreamCredit(streamId, chunk.length));
                });
                java.util.concurrent.CompletableFuture<Message> end = c.expect(streamId);
                c.send(new Message.ReadStream(streamId, 5, "file", java.util.Map.of("path", disk.toString()),
                        1 << 20));
                Message.StreamEnd e = (Message.StreamEnd) end.get(30, TimeUnit.SECONDS);
                assertThat(e.bytes()).isEqualTo(data.length);
                assertThat(got.toByteArray()).isEqualTo(data);

                deployOs = new ProcessBuilder(javaBin.toString(), "-jar", jar().toString(), "--deploy-os",
                        "--kernel-cmdline", cmdline.toString(), "--server", "127.0.0.1:" + server.port(),
                        "--server-fingerprint", server.fingerprint(), "--test-disk", disk.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(tmp.getRoot().toPath().resolve("jlinked-deploy-os.log").toFile()).start();
                TestServer.Conn d = server.awaitSession(Duration.ofSeconds(30));
                assertThat(d.hello.token()).contains("tok-9");
                assertThat(d.mac()).isEqualTo("52:54:00:00:00:97");
                // zstd-jni loads its native library from a temporary file: java.base is all it needs.
                assertThat(imageReadOf(d, data.length)).isEqualTo(data);
            } finally {
                for (Process p : new Process[]{ installed, deployOs }) {
                    if (p != null) {
                        p.destroy();
                        p.waitFor(10, TimeUnit.SECONDS);
                    }
                }
            }
            assertThat(Files.readString(tmp.getRoot().toPath().resolve("jlinked.log"))).doesNotContain("Exception");
        }
    }

    /** Reads disk 1 of the agent as an image and decodes its chunks. */
    private static byte[] imageReadOf(TestServer.Conn c, int size) throws Exception {
        long id = c.nextId();
        java.io.ByteArrayOutputStream disk = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream stored = new java.io.ByteArrayOutputStream();
        Message.ImageChunk[] header = new Message.ImageChunk[1];
        c.eventListener = m -> {
            if (m instanceof Message.ImageChunk h) {
                header[0] = h;
                stored.reset();
            }
        };
        c.streams.put(6L, chunk -> {
            stored.write(chunk);
            Message.ImageChunk h = header[0];
            if (stored.size() == h.storedLength()) {
                java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocate(h.length());
                assertThat(org.opendpm.image.Chunks.check(new org.opendpm.image.ChunkEntry(h.chunk(), h.disk(), h
                        .diskOffset(), h.length(), 0, h.storedLength(), h.crc32c(),
                        java.util.HexFormat.of()
                                .parseHex(h.sha256())),
                        java.nio.ByteBuffer.wrap(stored.toByteArray()), dst))
                        .isNull();
                disk.write(dst.array());
            }
        });
        java.util.concurrent.CompletableFuture<Message> end = c.expect(id);
        c.send(new Message.ImageRead(id, 6, List.of(new Message.Extent(1, 0, size)), 1 << 20, 1, 0, 64 << 20));
        assertThat(end.get(30, TimeUnit.SECONDS)).isInstanceOf(Message.ImageEnd.class);
        return disk.toByteArray();
    }

    @Test
    public void jarRegistersAndOpensASessionWithATestServer() throws Exception {
        Path state = tmp.newFolder("state").toPath();
        try (TestServer server = new TestServer("server-a.p12")) {
            Process p = new ProcessBuilder(java(), "-Xss256k", "-jar", jar().toString(), "--server",
                    "127.0.0.1:" + server.port(), "--state", state.toString(), "--mac", "52:54:00:00:00:99",
                    "--name", "jar-test").redirectErrorStream(true)
                    .redirectOutput(tmp.getRoot().toPath().resolve("agent.log").toFile()).start();
            try {
                TestServer.Conn c = server.awaitSession(Duration.ofSeconds(30));
                assertThat(c.mac()).isEqualTo("52:54:00:00:00:99");
                assertThat(((Message.CommandResult) c.request(id -> new Message.Command(id, "echo from jar", 10)))
                        .output()).isEqualTo("from jar\n");
            } finally {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            String log = Files.readString(tmp.getRoot().toPath().resolve("agent.log"));
            assertThat(log).contains("Pinned the server certificate fingerprint " + server.fingerprint())
                    .contains("Registered with 127.0.0.1:" + server.port());
            assertThat(new File(state.toFile(), "credential")).exists();
        }
    }
}
