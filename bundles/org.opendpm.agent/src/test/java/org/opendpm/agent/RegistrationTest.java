package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.agent.TestSupport.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import org.opendpm.agent.protocol.Message;

/** Opening a session (agent-protocol.md "Opening a session"; INV-4: the agent reports the machine). */
public class RegistrationTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private TestServer server;
    private Agent agent;

    @Before
    public void setUp() throws Exception {
        server = new TestServer("server-a.p12");
    }

    @After
    public void tearDown() throws Exception {
        if (agent != null) {
            agent.close();
        }
        server.close();
    }

    @Test
    public void registerStoresTheCredentialReadableByOwnerOnlyThenSaysHello() throws Exception {
        Path state = tmp.getRoot().toPath().resolve("state");
        agent = TestSupport.start(TestSupport.config(server, state).build());

        TestServer.Conn session = server.awaitSession(Duration.ofSeconds(20));

        Message.Register register = (Message.Register) server.openings.get(0);
        assertThat(register.mac()).isEqualTo("52:54:00:12:34:56");
        assertThat(register.macs().get(0)).isEqualTo("52:54:00:12:34:56");
        assertThat(register.uuid()).contains("4c4c4544-0042-3510-8052-b4c04f384b32");
        assertThat(register.ip()).contains("127.0.0.1");
        assertThat(register.hostName()).contains("test-machine");
        assertThat(register.os()).isNotBlank();
        assertThat(register.agentVersion()).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(register.deployOs()).isFalse();
        assertThat(register.protocol()).isEqualTo(Message.PROTOCOL_VERSION);

        Path credential = state.resolve("credential");
        String issued = server.credentials.get("52:54:00:12:34:56");
        assertThat(Files.readString(credential).trim()).isEqualTo(issued);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credential))).isEqualTo("rw-------");

        Message.Hello hello = session.hello;
        assertThat(hello.credential()).contains(issued);
        assertThat(hello.token()).isEmpty();
        assertThat(hello.powerState()).isEqualTo("on");
        assertThat(server.registers.get()).isEqualTo(1);
        assertThat(server.hellos.get()).isEqualTo(1);
        // Pinned on first contact, stored beside the credential.
        assertThat(Files.readString(state.resolve("server-fingerprint")).trim()).isEqualTo(server.fingerprint());
    }

    @Test
    public void aLostRegisterAnswerIsRetriedWithTheSameProposedCredential() throws Exception {
        Path state = tmp.getRoot().toPath().resolve("state");
        server.dropRegisterAnswers.set(1);
        agent = TestSupport.start(TestSupport.config(server, state).build());

        TestServer.Conn session = server.awaitSession(Duration.ofSeconds(30));
        assertThat(server.registers.get()).isEqualTo(2);
        String first = ((Message.Register) server.openings.get(0)).credential().orElseThrow();
        String second = ((Message.Register) server.openings.get(1)).credential().orElseThrow();
        assertThat(first).hasSize(43).isEqualTo(second);
        assertThat(session.hello.credential()).contains(first);
        assertThat(Files.readString(state.resolve("credential")).trim()).isEqualTo(first);
        assertThat(state.resolve("credential.pending")).doesNotExist();
    }

    @Test
    public void storedCredentialGoesStraightToHello() throws Exception {
        Path state = tmp.newFolder("state").toPath();
        server.credentials.put("52:54:00:12:34:56", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        Files.writeString(state.resolve("credential"), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
        agent = TestSupport.start(TestSupport.config(server, state).build());

        server.awaitSession(Duration.ofSeconds(20));
        assertThat(server.registers.get()).isZero();
    }

    @Test
    public void alreadyRegisteredMacIsLoggedAndRetriedWithoutStoringAnything() throws Exception {
        Path state = tmp.getRoot().toPath().resolve("state");
        server.credentials.put("52:54:00:12:34:56", "issued-to-the-machine-that-was-replaced");
        try (TestSupport.LogCapture log = new TestSupport.LogCapture()) {
            agent = TestSupport.start(TestSupport.config(server, state).build());

            await(Duration.ofSeconds(20), () -> server.registers.get() >= 2, "second registration attempt");
            assertThat(log.all()).contains("a credential was already issued for this MAC")
                    .contains("dpm:agent-reset 52:54:00:12:34:56");
        }
        assertThat(state.resolve("credential")).doesNotExist();
        assertThat(server.hellos.get()).isZero();

        // The administrator resets the old credential: the next attempt registers.
        server.credentials.clear();
        server.awaitSession(Duration.ofSeconds(20));
        assertThat(state.resolve("credential")).exists();
    }

    @Test
    public void rejectedCredentialIsRetriedWithHelloButNeverReRegistered() throws Exception {
        Path state = tmp.newFolder("state").toPath();
        Files.writeString(state.resolve("credential"), "credential-the-server-no-longer-knows\n");
        try (TestSupport.LogCapture log = new TestSupport.LogCapture()) {
            agent = TestSupport.start(TestSupport.config(server, state).build());

            await(Duration.ofSeconds(20), () -> server.hellos.get() >= 3, "three hello attempts");
            assertThat(log.all()).contains("unauthenticated").contains("delete " + state.resolve("credential"));
        }
        assertThat(server.registers.get()).isZero();
        assertThat(Files.readString(state.resolve("credential")).trim())
                .isEqualTo("credential-the-server-no-longer-knows");
    }
}
