package org.opendpm.transfer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendpm.api.agent.StreamResult;
import org.opendpm.api.inventory.Machine;

/**
 * The real agent ({@code org.opendpm.agent.Main}, a separate JVM) against the real link over TLS on 127.0.0.1:
 * cancelling a command kills its process tree (EXE-9), a 64 MiB stream reaches a slow sink with its SHA-256.
 */
public class RealAgentTest {

    private LinkFixture f;
    private Process agent;
    private Path state;

    @Before
    public void start() throws Exception {
        f = new LinkFixture();
        state = Files.createTempDirectory("real-agent");
    }

    @After
    public void stop() throws Exception {
        if (agent != null) {
            agent.descendants().forEach(ProcessHandle::destroyForcibly);
            agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        f.close();
        try (var files = Files.walk(state)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Starts the agent process with this test's class path, which holds the agent and what it needs. */
    private Machine startAgent(String mac) throws Exception {
        Machine m = f.machine("real-" + mac.replace(":", ""), mac);
        launch(m, mac);
        return m;
    }

    private void launch(Machine m, String mac) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        agent = new ProcessBuilder(java, "-Xmx96m", "-cp", System.getProperty("java.class.path"),
                "org.opendpm.agent.Main", "--server", "127.0.0.1:" + f.address().getPort(), "--server-fingerprint",
                f.fingerprint(), "--state", state.toString(), "--mac", mac, "--name", "real-agent")
                .redirectErrorStream(true).redirectOutput(state.resolve("agent.log").toFile()).start();
        LinkFixture.await("the agent connected (log: " + state.resolve("agent.log") + ")", Duration.ofSeconds(30),
                () -> f.link.agent(m.id()).isPresent());
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    public void cancellingACommandKillsItsProcessTreeOnTheMachine_EXE9() throws Exception {
        Machine m = startAgent(LinkFixture.mac(0x901));
        Path pids = state.resolve("pids");
        CompletableFuture<?> run = f.link.runCommand(m.id(), "sleep 600 & echo $$ $! > " + pids + ".tmp; mv " + pids
                + ".tmp " + pids + "; sleep 600", Duration.ofHours(1)).toCompletableFuture();
        LinkFixture.await("the command started", Duration.ofSeconds(20), () -> Files.exists(pids));
        String[] ids = Files.readString(pids).trim().split(" ");
        long shell = Long.parseLong(ids[0]);
        long background = Long.parseLong(ids[1]);
        assertThat(alive(shell) && alive(background)).isTrue();

        assertThat(run.cancel(true)).isTrue();
        assertThat(run).isCancelled();
        LinkFixture.await("the process tree gone", Duration.ofSeconds(10), () -> !alive(shell) && !alive(background));
        assertThat(Files.readString(state.resolve("agent.log"))).contains("Request ", "cancelled by the server");
        // The agent is still there for the next request.
        assertThat(f.link.runCommand(m.id(), "echo after", Duration.ofSeconds(10)).toCompletableFuture()
                .get(20, TimeUnit.SECONDS).output()).isEqualTo("after\n");
    }

    @Test
    public void a64MiBFileStreamsToASlowSinkWithItsSha256() throws Exception {
        Machine m = startAgent(LinkFixture.mac(0x902));
        Path file = state.resolve("backup-source.img");
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[1 << 20];
        Random r = new Random(3);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < 64; i++) {
                r.nextBytes(block);
                expected.update(block);
                out.write(block);
            }
        }
        String sha = HexFormat.of().formatHex(expected.digest());
        MessageDigest sunk = MessageDigest.getInstance("SHA-256");
        long[] written = new long[1];
        long started = System.nanoTime();
        StreamResult result = f.link.readStream(m.id(), "file", Map.of("path", file.toString()), buf -> {
            written[0] += buf.remaining();
            sunk.update(buf);
            if (written[0] < (16 << 20)) {
                sleepQuietly(20); // 64 chunks at 20 ms: the agent waits on its credit, it does not buffer
            }
        }, null).toCompletableFuture().get(120, TimeUnit.SECONDS);
        System.out.println("64 MiB streamed in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)
                + " ms");
        assertThat(result).isEqualTo(new StreamResult(64L << 20, sha));
        assertThat(HexFormat.of().formatHex(sunk.digest())).isEqualTo(sha);
        // The link enforces the window: an agent that had buffered ahead of its credit would have been closed.
        assertThat(f.link.stats().closedByReason()).containsEntry("out-of-order", 0L);
        assertThat(agent.isAlive()).as("the agent, with a 96 MiB heap, is still running").isTrue();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** EXE-11: the agent's hello carries one start id per process, kept when it reconnects, new when it restarts. */
    @Test
    public void theStartIdIsKeptAcrossAReconnectionAndNewAfterARestart() throws Exception {
        Machine m = startAgent(LinkFixture.mac(0x903));
        String first = f.link.agent(m.id()).orElseThrow().startId().orElseThrow();
        assertThat(first).matches("[A-Za-z0-9_-]{22}");
        java.time.Instant before = f.link.agent(m.id()).orElseThrow().connectedAt();

        assertThat(f.link.disconnect(m.id())).isTrue();
        LinkFixture.await("the agent reconnected", Duration.ofSeconds(60), () -> f.link.agent(m.id())
                .filter(a -> a.connectedAt().isAfter(before)).isPresent());
        assertThat(f.link.agent(m.id()).orElseThrow().startId()).contains(first);

        agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        LinkFixture.await("the link saw the agent go", Duration.ofSeconds(30), () -> f.link.agent(m.id()).isEmpty());
        launch(m, LinkFixture.mac(0x903));
        assertThat(f.link.agent(m.id()).orElseThrow().startId()).isPresent().get().isNotEqualTo(first);
    }
}
