package org.opendpm.transfer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.transfer.internal.LinkFixture.mac;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.opendpm.agent.protocol.Frame;
import org.opendpm.agent.protocol.Message;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentListener;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.inventory.Machine;

/** Heartbeats, the hello time-out and request time-outs, with short periods so the test stays quick. */
public class LinkTimeoutsTest {

    private static LinkFixture f;

    @BeforeClass
    public static void start() throws Exception {
        f = new LinkFixture(Map.of("heartbeatSeconds", 1, "helloTimeoutSeconds", 1, "requestTimeoutSeconds", 1));
    }

    @AfterClass
    public static void stop() {
        f.close();
    }

    @Test
    public void theServerSendsHeartbeatsAndClosesAfterThreeSilentPeriods() throws Exception {
        String m = mac(1);
        List<String> reasons = new CopyOnWriteArrayList<>();
        AgentListener l = new AgentListener() {
            @Override
            public void connected(AgentInfo agent) {
            }

            @Override
            public void disconnected(AgentInfo agent, String reason) {
                if (agent.mac().equals(m)) {
                    reasons.add(reason);
                }
            }
        };
        f.link.addListener(l);
        try (LogCapture log = new LogCapture(); TestAgent agent = f.authenticatedAgent(m, "quiet")) {
            long start = System.nanoTime();
            // The server's heartbeat comes every period; the agent stays silent.
            assertThat(agent.readFrame()).isEqualTo(new Frame.Control(new Message.Heartbeat()));
            agent.awaitClose(Duration.ofSeconds(8));
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertThat(seconds).isBetween(2L, 5L);
            LinkFixture.await("disconnected", Duration.ofSeconds(5), () -> !reasons.isEmpty());
            assertThat(reasons).containsExactly("heartbeat lost: nothing heard for 3 s");
            assertThat(log.lines("heartbeat lost", "connection closed")).hasSize(1);
        } finally {
            f.link.removeListener(l);
        }
        assertThat(f.link.stats().get(LinkStats.Kind.HEARTBEAT_LOST)).isEqualTo(1);
    }

    @Test
    public void anAgentThatSendsHeartbeatsStaysConnected() throws Exception {
        try (TestAgent agent = f.authenticatedAgent(mac(2), "chatty")) {
            for (int i = 0; i < 8; i++) {
                agent.send(new Message.Heartbeat());
                Thread.sleep(500);
            }
            agent.send(new Message.Heartbeat());
            assertThat(f.link.agents()).extracting(AgentInfo::mac).contains(mac(2));
        }
    }

    @Test
    public void aConnectionWithoutHelloIsClosed() throws Exception {
        long before = f.link.stats().get(LinkStats.Kind.HELLO_TIMEOUT);
        try (TestAgent agent = f.connect()) {
            assertThat(agent.awaitClose(Duration.ofSeconds(5))).isEqualTo("");
        }
        assertThat(f.link.stats().get(LinkStats.Kind.HELLO_TIMEOUT)).isEqualTo(before + 1);
    }

    @Test
    public void aHelloWhoseCheckOutlastsTheHelloTimeOutIsStillWelcomed() throws Exception {
        String m = mac(40);
        f.machine("slow-check", m);
        f.deployOs.issue("token-" + m, m, 93);
        f.deployOs.redeemTakes(Duration.ofMillis(2500)); // the hello time-out is 1 s here
        try (TestAgent agent = f.connect()) {
            agent.send(LinkFixture.deployOsHello(m, "token-" + m));
            assertThat(agent.expect(Message.Welcome.class).resumeKey()).isPresent();
        } finally {
            f.deployOs.redeemTakes(Duration.ZERO);
        }
    }

    @Test
    public void anUnansweredRequestTimesOut() throws Exception {
        String m = mac(3);
        Machine machine = f.machine("slow", m);
        try (TestAgent agent = f.authenticatedAgent(m, "slow")) {
            var listing = f.link.listFolder(machine.id(), "/");
            agent.expect(Message.ListFolder.class);
            try {
                for (int i = 0; i < 6 && !listing.toCompletableFuture().isDone(); i++) {
                    agent.send(new Message.Heartbeat());
                    Thread.sleep(300);
                }
                listing.toCompletableFuture().get(5, TimeUnit.SECONDS);
                throw new AssertionError("the request was answered");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(AgentUnavailableException.class)
                        .hasMessageContaining("did not answer 'listFolder' within 1 s");
            }
        }
    }
}
