package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.agent.TestSupport.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Trusting the server by its certificate fingerprint (agent-protocol.md "Transport"). */
@SuppressWarnings("try") // agents live for a try block without being referenced in it
public class PinningTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void firstServerIsPinnedAndAnotherCertificateIsRefusedAfterwards() throws Exception {
        Path state = tmp.getRoot().toPath().resolve("state");
        String pinnedFirst;
        try (TestServer a = new TestServer("server-a.p12")) {
            pinnedFirst = a.fingerprint();
            try (Agent agent = TestSupport.start(TestSupport.config(a, state).build())) {
                a.awaitSession(Duration.ofSeconds(20));
            }
            assertThat(Files.readString(state.resolve("server-fingerprint")).trim()).isEqualTo(a.fingerprint());
        }
        try (TestServer b = new TestServer("server-b.p12");
                TestSupport.LogCapture log = new TestSupport.LogCapture();
                Agent agent = TestSupport.start(TestSupport.config(b, state).build())) {
            await(Duration.ofSeconds(20), () -> log.contains("does not match the pinned"), "refusal logged");
            assertThat(log.all()).contains("server certificate fingerprint " + b.fingerprint()
                    + " does not match the pinned " + readPin(state));
            // The handshake failed: no frame ever reached the impostor.
            assertThat(b.openings).isEmpty();
        }
        // A refused server never replaces the pin.
        assertThat(readPin(state)).isEqualTo(pinnedFirst);
    }

    @Test
    public void givenFingerprintIsPinnedAndAcceptsOnlyThatServer() throws Exception {
        Path state = tmp.getRoot().toPath().resolve("state");
        try (TestServer a = new TestServer("server-a.p12"); TestServer b = new TestServer("server-b.p12")) {
            // Given with colons and in upper case, as tools print it.
            String given = a.fingerprint().toUpperCase().replaceAll("(..)(?!$)", "$1:");
            try (TestSupport.LogCapture log = new TestSupport.LogCapture();
                    Agent agent = TestSupport.start(TestSupport.config(b, state).serverFingerprint(
                            StateFolder.normalizeFingerprint(given)).build())) {
                await(Duration.ofSeconds(20), () -> log.contains("does not match the pinned " + a.fingerprint()),
                        "server b refused");
                assertThat(b.openings).isEmpty();
            }
            try (Agent agent = TestSupport.start(TestSupport.config(a, state).build())) {
                a.awaitSession(Duration.ofSeconds(20));
            }
        }
    }

    private static String readPin(Path state) throws Exception {
        return Files.readString(state.resolve("server-fingerprint")).trim();
    }
}
