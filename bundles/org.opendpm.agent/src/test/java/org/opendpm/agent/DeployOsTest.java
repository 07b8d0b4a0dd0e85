package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.agent.TestSupport.await;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.agent.protocol.Message;

/** An agent in a Deploy-OS says hello with its one-time token and never registers; disk inventory elsewhere. */
public class DeployOsTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private TestServer server;
    private Agent agent;

    @Before
    public void startServer() throws Exception {
        server = new TestServer("server-a.p12");
    }

    @After
    public void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        server.close();
    }

    private AgentConfig.Builder config(String token) throws Exception {
        Path state = tmp.newFolder().toPath();
        return TestSupport.config(server, state).serverFingerprint(server.fingerprint()).deployOsToken(token);
    }

    @Test
    public void theTokenOpensTheSessionWithoutRegistration() throws Exception {
        server.deployOsTokens.add("tok-1");
        agent = TestSupport.start(config("tok-1").build());
        TestServer.Conn c = server.awaitSession(Duration.ofSeconds(20));
        assertThat(c.hello.deployOs()).isTrue();
        assertThat(c.hello.token()).contains("tok-1");
        assertThat(c.hello.credential()).isEmpty();
        assertThat(c.hello.mac()).isEqualTo("52:54:00:12:34:56");
        assertThat(server.registers.get()).isZero();
        Message r = c.request(i -> new Message.Command(i, "echo deploy-os", 10));
        assertThat(((Message.CommandResult) r).output()).isEqualTo("deploy-os\n");
    }

    @Test
    public void aWrongTokenIsRefusedAndNeverTurnsIntoARegistration() throws Exception {
        try (TestSupport.LogCapture log = new TestSupport.LogCapture()) {
            agent = TestSupport.start(config("wrong").build());
            await(Duration.ofSeconds(20), () -> server.hellos.get() >= 2, "two refused hellos");
            assertThat(log.all()).contains("refused the Deploy-OS token of 52:54:00:12:34:56");
        }
        assertThat(server.registers.get()).isZero();
        assertThat(server.sessions).isEmpty();
    }

    @Test
    public void aLostDeployOsAgentComesBackWithItsResumeKeyInsteadOfTheToken() throws Exception {
        server.deployOsTokens.add("tok-3");
        try (TestSupport.LogCapture log = new TestSupport.LogCapture()) {
            agent = TestSupport.start(config("tok-3").resume(Duration.ofMillis(300), Duration.ofMinutes(1))
                    .build());
            TestServer.Conn first = server.awaitSession(Duration.ofSeconds(20));
            assertThat(first.hello.token()).contains("tok-3");
            assertThat(first.hello.resumeKey()).isEmpty();
            assertThat(server.resumeKeys).hasSize(1);
            String key = server.resumeKeys.iterator().next();
            first.close();
            TestServer.Conn second = server.awaitSession(Duration.ofSeconds(10));
            assertThat(second.hello.deployOs()).isTrue();
            assertThat(second.hello.resumeKey()).contains(key);
            assertThat(second.hello.token()).isEmpty();
            assertThat(second.hello.mac()).isEqualTo(first.hello.mac());
            Message r = second.request(i -> new Message.Command(i, "echo back", 10));
            assertThat(((Message.CommandResult) r).output()).isEqualTo("back\n");
            // The session ended on the server: the key is refused, and the agent keeps trying without logging it.
            server.resumeKeys.clear();
            int hellos = server.hellos.get();
            second.close();
            await(Duration.ofSeconds(10), () -> server.hellos.get() >= hellos + 3, "hellos with the refused key");
            assertThat(log.all()).contains("refused the resume key of 52:54:00:12:34:56").doesNotContain(key);
        }
        assertThat(server.registers.get()).isZero();
    }

    @Test
    public void withoutTheLinuxScannerDiskInventoryIsNotAvailable() throws Exception {
        server.deployOsTokens.add("tok-2");
        agent = TestSupport.start(config("tok-2").build(), DiskScanner.UNAVAILABLE);
        TestServer.Conn c = server.awaitSession(Duration.ofSeconds(20));
        assertThat(SessionFixture.errorMessage(c.request(Message.DiskInventory::new)))
                .isEqualTo("disk inventory is not available on this platform");
    }
}
