package org.opendpm.transfer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.transfer.internal.LinkFixture.mac;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.opendpm.api.agent.CommandResult;
import org.opendpm.api.inventory.Machine;

import org.opendpm.agent.protocol.Message;

/** Connection floods are cut before TLS, counted, logged once, and do not touch authenticated agents. */
public class RateLimitTest {

    @Test
    public void aThousandConnectionsInASecondFromOneAddressAreMostlyClosedAtOnce() throws Exception {
        try (LinkFixture f = new LinkFixture(); LogCapture log = new LogCapture()) {
            Machine m = f.machine("steady", mac(1));
            TestAgent agent = f.authenticatedAgent(mac(1), "steady");
            long before = f.link.stats().get(LinkStats.Kind.RATE_LIMITED_ADDRESS);
            List<Socket> flood = new ArrayList<>();
            long start = System.nanoTime();
            try {
                for (int i = 0; i < 1000; i++) {
                    flood.add(new Socket(f.address().getAddress(), f.address().getPort()));
                }
                long floodMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                System.out.println("1000 connections opened in " + floodMillis + " ms");
                LinkFixture.await("the refusals counted", Duration.ofSeconds(5),
                        () -> f.link.stats().get(LinkStats.Kind.RATE_LIMITED_ADDRESS) - before >= 900);
                // Refused connections were reset at once; the few accepted wait for a TLS ClientHello.
                int closed = 0;
                for (Socket s : flood) {
                    s.setSoTimeout(1);
                    try {
                        closed += s.getInputStream().read() < 0 ? 1 : 0;
                    } catch (SocketTimeoutException e) {
                        // still open: accepted within the limit
                    } catch (SocketException e) {
                        closed++; // connection reset
                    }
                }
                long refused = f.link.stats().get(LinkStats.Kind.RATE_LIMITED_ADDRESS) - before;
                System.out.println("refused " + refused + ", seen closed by the client " + closed);
                assertThat(refused).isBetween(900L, 1000L);
                assertThat(closed).isGreaterThanOrEqualTo(900);
                assertThat(log.lines("connections from 127.0.0.1 closed before TLS")).hasSize(1);

                var result = f.link.runCommand(m.id(), "still there", Duration.ofSeconds(5));
                Message.Command cmd = agent.expect(Message.Command.class);
                agent.send(new Message.CommandResult(cmd.id(), 0, "yes"));
                assertThat(result.toCompletableFuture().get(5, TimeUnit.SECONDS))
                        .isEqualTo(new CommandResult(0, "yes"));
            } finally {
                for (Socket s : flood) {
                    try {
                        s.close();
                    } catch (IOException e) {
                        // test cleanup
                    }
                }
                agent.close();
            }
            // Another source address is not held back by 127.0.0.1's flood.
            try (Socket other = new Socket(f.address().getAddress(), f.address().getPort(),
                    java.net.InetAddress.getByName("127.0.0.2"), 0)) {
                other.setSoTimeout(300);
                try {
                    assertThat(other.getInputStream().read()).isNotEqualTo(-1);
                } catch (SocketTimeoutException e) {
                    // open and waiting for TLS: accepted
                }
            }
        }
    }

    @Test
    public void tokenBucketAllowsABurstThenTheRate() {
        long t = 0;
        TokenBucket b = new TokenBucket(20, t);
        int allowed = 0;
        for (int i = 0; i < 100; i++) {
            allowed += b.tryTake(20, t) ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(20);
        t += TimeUnit.MILLISECONDS.toNanos(500);
        allowed = 0;
        for (int i = 0; i < 100; i++) {
            allowed += b.tryTake(20, t) ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(10);
        assertThat(b.tryTake(0, t)).as("0 means no limit").isTrue();
    }
}
