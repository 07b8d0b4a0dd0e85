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
        try (JarFile jf = new JarFile(jar().toFile())) {
            for (var e : Collections.list(jf.entries())) {
                String n = e.getName();
                if (n.endsWith(".class") && !n.startsWith("org/opendpm/agent/")) {
                    stray.add(n);
                }
            }
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
