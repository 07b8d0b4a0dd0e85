package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.agent.TestSupport.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import org.opendpm.agent.protocol.Message;

/** The link itself: heartbeats, reconnection, frames the agent refuses, power requests. */
public class LinkTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private TestServer server;
    private Agent agent;
    private Path state;

    @Before
    public void setUp() throws Exception {
        server = new TestServer("server-a.p12");
        state = tmp.newFolder("state").toPath();
    }

    @After
    public void tearDown() throws Exception {
        if (agent != null) {
            agent.close();
        }
        server.close();
    }

    private TestServer.Conn open(AgentConfig.Builder b) throws Exception {
        agent = TestSupport.start(b.build());
        return server.awaitSession(Duration.ofSeconds(20));
    }

    @Test
    public void unknownRequestTypeIsAnsweredAndTheLinkStays() throws Exception {
        TestServer.Conn c = open(TestSupport.config(server, state));
        Message r = c.requestUnknown("firmwareUpdate", "\"image\":\"x\"");
        assertThat(r).isEqualTo(new Message.ErrorAnswer(((Message.ErrorAnswer) r).id(), "failed",
                "unsupported request type firmwareUpdate"));

        Message after = c.request(id -> new Message.Command(id, "echo still here", 10));
        assertThat(((Message.CommandResult) after).output()).isEqualTo("still here\n");
        assertThat(server.hellos.get()).isEqualTo(1);
    }

    @Test
    public void agentSendsHeartbeatsEveryPeriod() throws Exception {
        server.heartbeatSeconds = 1;
        TestServer.Conn c = open(TestSupport.config(server, state));
        Thread.sleep(3500);
        assertThat(c.heartbeats.get()).isBetween(2, 5);
        assertThat(c.closed.getCount()).isEqualTo(1);
    }

    @Test
    public void silentServerIsLeftAfterThreePeriodsAndReconnected() throws Exception {
        server.heartbeatSeconds = 1;
        server.sendHeartbeats = false;
        try (TestSupport.LogCapture log = new TestSupport.LogCapture()) {
            TestServer.Conn first = open(TestSupport.config(server, state));
            long t0 = System.nanoTime();
            assertThat(first.awaitClosed(Duration.ofSeconds(10))).isTrue();
            long silentMillis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(silentMillis).isBetween(2000L, 6000L);
            assertThat(log.all()).contains("Heartbeat lost: nothing from 127.0.0.1:" + server.port() + " for 3 s");
        }
        server.awaitSession(Duration.ofSeconds(10));
        assertThat(server.hellos.get()).isEqualTo(2);
    }

    @Test
    public void droppedConnectionIsReconnectedWithHello() throws Exception {
        TestServer.Conn first = open(TestSupport.config(server, state));
        first.close();
        TestServer.Conn second = server.awaitSession(Duration.ofSeconds(10));
        assertThat(second).isNotSameAs(first);
        assertThat(server.registers.get()).isEqualTo(1);
        assertThat(((Message.CommandResult) second.request(id -> new Message.Command(id, "echo again", 10)))
                .output()).isEqualTo("again\n");
    }

    @Test
    public void serverThatGoesAwayIsRetriedUntilItIsBack() throws Exception {
        open(TestSupport.config(server, state));
        int port = server.port();
        server.close();
        await(Duration.ofSeconds(10), () -> agent.stats().connectFailures.get() >= 2, "failed reconnects");
        // A new server on the same port with the same certificate: the agent finds it again.
        server = new TestServer("server-a.p12", port, server.credentials);
        server.awaitSession(Duration.ofSeconds(15));
    }

    @Test
    public void oversizedFrameClosesTheConnection() throws Exception {
        TestServer.Conn c = open(TestSupport.config(server, state));
        try (TestSupport.LogCapture log = new TestSupport.LogCapture()) {
            // Announces 16 MiB + 2 bytes and sends nothing more: the agent must not wait for them.
            int length = 16 * 1024 * 1024 + 2;
            c.sendRaw(new byte[]{ (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8),
                    (byte) length, 1 });
            assertThat(c.awaitClosed(Duration.ofSeconds(5))).isTrue();
            assertThat(log.all()).contains("frame of 16777218 bytes exceeds the maximum 16777216");
        }
        server.awaitSession(Duration.ofSeconds(10));
    }

    @Test
    public void unparsableControlFrameClosesTheConnection() throws Exception {
        TestServer.Conn c = open(TestSupport.config(server, state));
        byte[] junk = "{not json".getBytes();
        byte[] frame = new byte[5 + junk.length];
        frame[3] = (byte) (junk.length + 1);
        frame[4] = 1;
        System.arraycopy(junk, 0, frame, 5, junk.length);
        c.sendRaw(frame);
        assertThat(c.awaitClosed(Duration.ofSeconds(5))).isTrue();
        server.awaitSession(Duration.ofSeconds(10));
    }

    @Test
    public void powerWithoutAllowPowerIsAcknowledgedButOnlyLogged() throws Exception {
        Path marker = tmp.getRoot().toPath().resolve("powered-off");
        TestServer.Conn c = open(TestSupport.config(server, state).powerCommands(Map.of(
                "shutdown", List.of(List.of("touch", marker.toString())), "reboot", List.of(List.of("false")))));
        try (TestSupport.LogCapture log = new TestSupport.LogCapture()) {
            assertThat(c.request(id -> new Message.Power(id, "shutdown"))).isInstanceOf(Message.Ack.class);
            await(Duration.ofSeconds(5), () -> log.contains(
                    "power action shutdown not carried out: --allow-power not given"), "refusal logged");
        }
        Thread.sleep(1000);
        assertThat(marker).doesNotExist();

        assertThat(SessionFixture.errorMessage(c.request(id -> new Message.Power(id, "hibernate"))))
                .contains("unknown action 'hibernate'");
    }

    @Test
    public void powerWithAllowPowerRunsTheFirstCommandThatSucceedsAfterTheAck() throws Exception {
        Path marker = tmp.getRoot().toPath().resolve("rebooted");
        TestServer.Conn c = open(TestSupport.config(server, state).allowPower(true).powerCommands(Map.of(
                "shutdown", List.of(List.of("false")),
                "reboot", List.of(List.of("false"), List.of("touch", marker.toString())))));
        assertThat(c.request(id -> new Message.Power(id, "reboot"))).isInstanceOf(Message.Ack.class);
        await(Duration.ofSeconds(10), () -> Files.exists(marker), "fallback power command run");
    }
}
