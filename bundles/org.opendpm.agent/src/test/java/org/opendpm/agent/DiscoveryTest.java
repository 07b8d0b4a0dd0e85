package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Finding the server without --server (OSI-6). */
@SuppressWarnings("try") // agents live for a try block without being referenced in it
public class DiscoveryTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** Answers discovery datagrams on 127.0.0.1 with the given lines, in order, to every request. */
    private static final class Responder implements AutoCloseable {
        final DatagramSocket socket;
        final List<String> requests = new CopyOnWriteArrayList<>();
        final Thread thread;

        Responder(int ignoreFirst, String... answers) throws Exception {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                byte[] buf = new byte[512];
                try {
                    while (true) {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        socket.receive(p);
                        requests.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
                        if (requests.size() <= ignoreFirst) {
                            continue;
                        }
                        for (String a : answers) {
                            byte[] b = a.getBytes(StandardCharsets.US_ASCII);
                            socket.send(new DatagramPacket(b, b.length, p.getSocketAddress()));
                        }
                    }
                } catch (Exception e) {
                    // closed
                }
            }, "discovery-responder");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static final String FP_A = "a".repeat(64);
    private static final String FP_B = "b".repeat(64);

    @Test
    public void firstWellFormedAnswerWins() throws Exception {
        try (Responder r = new Responder(0, "HELLO WORLD", "OPENDPM-SERVER 2 10.0.0.9 1 " + FP_B,
                "OPENDPM-SERVER 1 10.0.0.1 26509 " + FP_A, "OPENDPM-SERVER 1 10.0.0.2 26509 " + FP_B)) {
            Discovery.Found f = Discovery.discover("127.0.0.1", r.port(), Duration.ofSeconds(2), () -> true);
            assertThat(f).isEqualTo(new Discovery.Found("10.0.0.1", 26509, FP_A));
            assertThat(r.requests).containsExactly("OPENDPM-DISCOVER 1");
        }
    }

    @Test
    public void requestIsRepeatedUntilAServerAnswers() throws Exception {
        try (Responder r = new Responder(2, "OPENDPM-SERVER 1 0.0.0.0 4000 " + FP_A.toUpperCase())) {
            Discovery.Found f = Discovery.discover("127.0.0.1", r.port(), Duration.ofMillis(200), () -> true);
            // A wildcard host means the address the answer came from.
            assertThat(f).isEqualTo(new Discovery.Found("127.0.0.1", 4000, FP_A));
            assertThat(r.requests).hasSize(3);
        }
    }

    @Test
    public void malformedAnswersAreNotServers() {
        InetAddress lo = InetAddress.getLoopbackAddress();
        assertThat(Discovery.parse("OPENDPM-SERVER 1 h 0 " + FP_A, lo)).isNull();
        assertThat(Discovery.parse("OPENDPM-SERVER 1 h 70000 " + FP_A, lo)).isNull();
        assertThat(Discovery.parse("OPENDPM-SERVER 1 h x " + FP_A, lo)).isNull();
        assertThat(Discovery.parse("OPENDPM-SERVER 1 h 1 abc", lo)).isNull();
        assertThat(Discovery.parse("OPENDPM-SERVER 1 h 1", lo)).isNull();
        assertThat(Discovery.parse("OPENDPM-SERVER 1 h 1 " + FP_A + "\n", lo))
                .isEqualTo(new Discovery.Found("h", 1, FP_A));
    }

    @Test
    public void agentWithoutServerDiscoversConnectsAndPinsTheAnnouncedFingerprint() throws Exception {
        Path state = tmp.getRoot().toPath().resolve("state");
        try (TestServer server = new TestServer("server-a.p12");
                Responder r = new Responder(0, "OPENDPM-SERVER 1 127.0.0.1 " + server.port() + " "
                        + server.fingerprint(), "OPENDPM-SERVER 1 127.0.0.1 1 " + FP_B);
                Agent agent = TestSupport.start(TestSupport.config(server, state).server(null, 0)
                        .discover("127.0.0.1", r.port()).discoverInterval(Duration.ofMillis(500)).build())) {
            server.awaitSession(Duration.ofSeconds(20));
            assertThat(Files.readString(state.resolve("server-fingerprint")).trim()).isEqualTo(server.fingerprint());
        }
    }

    @Test
    public void discoveredFingerprintDoesNotOverrideAnExistingPin() throws Exception {
        Path state = tmp.getRoot().toPath().resolve("state");
        try (TestServer server = new TestServer("server-a.p12");
                Responder r = new Responder(0, "OPENDPM-SERVER 1 127.0.0.1 " + server.port() + " " + FP_B);
                TestSupport.LogCapture log = new TestSupport.LogCapture();
                Agent agent = TestSupport.start(TestSupport.config(server, state).server(null, 0)
                        .serverFingerprint(FP_A).discover("127.0.0.1", r.port())
                        .discoverInterval(Duration.ofMillis(500)).build())) {
            TestSupport.await(Duration.ofSeconds(20), () -> log.contains("does not match the pinned " + FP_A),
                    "server refused by the existing pin");
            assertThat(server.openings).isEmpty();
        }
    }
}
