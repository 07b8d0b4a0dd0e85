package org.opendpm.transfer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.transfer.internal.LinkFixture.mac;

import java.io.IOException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.opendpm.agent.protocol.Frame;
import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;
import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.StreamResult;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.PartitionInfo;

/**
 * What protocol version 2 added, over real TLS with a test agent that speaks the module's frames: cancel, progress,
 * streams with credit, disk inventory (IMG-4) and the Deploy-OS hello by one-time token (EXE-2).
 */
public class ProtocolV2Test {

    private static LinkFixture f;
    private static final AtomicInteger MACS = new AtomicInteger(0x500);

    @BeforeClass
    public static void start() throws IOException {
        f = new LinkFixture();
    }

    @AfterClass
    public static void stop() {
        f.close();
    }

    private static String nextMac() {
        return mac(MACS.getAndIncrement());
    }

    private static Throwable failure(CompletableFuture<?> future) throws Exception {
        try {
            future.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the request succeeded");
    }

    @Test
    public void cancellingTheFutureSendsCancelAndProgressReachesTheListener() throws Exception {
        String mac = nextMac();
        Machine m = f.machine("cancel-" + mac.replace(":", ""), mac);
        try (TestAgent agent = f.authenticatedAgent(mac, "cancel")) {
            List<String> progress = new ArrayList<>();
            CompletableFuture<?> run = f.link.runCommand(m.id(), "sleep 600", Duration.ofHours(1),
                    (done, total, unit) -> progress.add(done + "/" + total + " " + unit)).toCompletableFuture();
            Message.Command cmd = agent.expect(Message.Command.class);
            agent.send(new Message.Progress(cmd.id(), 1, 3, "steps"));
            LinkFixture.await("progress", Duration.ofSeconds(5), () -> !progress.isEmpty());
            assertThat(progress).containsExactly("1/3 steps");

            assertThat(run.cancel(true)).isTrue();
            assertThat(run).isCancelled();
            assertThat(agent.expect(Message.Cancel.class)).isEqualTo(new Message.Cancel(cmd.id()));
            // The agent's answer to the cancelled request comes late and is ignored; the session goes on.
            agent.send(new Message.ErrorAnswer(cmd.id(), "cancelled", "cancelled by the server"));
            CompletableFuture<?> next = f.link.listFolder(m.id(), "/").toCompletableFuture();
            Message.ListFolder list = agent.expect(Message.ListFolder.class);
            agent.send(new Message.FolderListing(list.id(), List.of(), false));
            assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo(List.of());
            assertThat(f.link.stats().get(LinkStats.Kind.REQUESTS_CANCELLED)).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    public void diskInventoryIsMappedToDiskInfo() throws Exception {
        String mac = nextMac();
        Machine m = f.machine("disks-" + mac.replace(":", ""), mac);
        try (TestAgent agent = f.authenticatedAgent(mac, "disks")) {
            CompletableFuture<List<DiskInfo>> disks = f.link.disks(m.id()).toCompletableFuture();
            Message.DiskInventory req = agent.expect(Message.DiskInventory.class);
            agent.send(new Message.Disks(req.id(), List.of(new Message.Disks.Disk(1, "sda", 1L << 36, "mbr", "QEMU",
                    List.of(new Message.Disks.Partition(1, 1 << 20, 1L << 30, "83", "ext4")), ""))));
            assertThat(disks.get(10, TimeUnit.SECONDS)).containsExactly(new DiskInfo(1, "sda", 1L << 36, "mbr",
                    "QEMU", List.of(new PartitionInfo(1, 1 << 20, 1L << 30, "83", "ext4"))));

            CompletableFuture<List<DiskInfo>> refused = f.link.disks(m.id()).toCompletableFuture();
            req = agent.expect(Message.DiskInventory.class);
            agent.send(new Message.ErrorAnswer(req.id(), "failed", "disk inventory is not available on this "
                    + "platform"));
            assertThat(failure(refused)).isInstanceOf(AgentRequestException.class)
                    .hasMessageContaining("disk inventory is not available on this platform");
        }
    }

    /** Sends {@code data} as the agent does: within the credit, waiting for more. */
    private static void stream(TestAgent agent, Message.ReadStream r, byte[] data) throws IOException {
        agent.send(new Message.StreamBegin(r.id(), data.length));
        long credit = r.windowBytes();
        int off = 0;
        while (off < data.length) {
            while (credit <= 0) {
                Frame frame = agent.readFrame();
                if (frame instanceof Frame.Control c && c.message() instanceof Message.StreamCredit sc) {
                    assertThat(sc.id()).isEqualTo(r.id());
                    credit += sc.bytes();
                }
            }
            int n = (int) Math.min(Math.min(credit, FrameCodec.MAX_CHUNK), data.length - off);
            agent.sendRaw(FrameCodec.encodeData(r.transferId(), data, off, n));
            off += n;
            credit -= n;
        }
    }

    @Test
    public void aStreamOf64MiBReachesASlowSinkWithItsSha256() throws Exception {
        String mac = nextMac();
        Machine m = f.machine("stream-" + mac.replace(":", ""), mac);
        byte[] data = new byte[64 << 20];
        new Random(5).nextBytes(data);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        MessageDigest sunk = MessageDigest.getInstance("SHA-256");
        long[] written = new long[1];
        List<Long> progress = new ArrayList<>();
        try (TestAgent agent = f.authenticatedAgent(mac, "stream")) {
            CompletableFuture<StreamResult> result = f.link.readStream(m.id(), "file", Map.of("path", "/dev/vda"),
                    buf -> {
                        written[0] += buf.remaining();
                        sunk.update(buf);
                        if (written[0] < (8 << 20)) {
                            sleep(10); // slow at first: the agent must wait for credit
                        }
                    }, (done, total, unit) -> progress.add(done)).toCompletableFuture();
            Message.ReadStream r = agent.expect(Message.ReadStream.class);
            assertThat(r.source()).isEqualTo("file");
            assertThat(r.parameters()).isEqualTo(Map.of("path", "/dev/vda"));
            assertThat(r.windowBytes()).isEqualTo(StreamReceiver.WINDOW);
            stream(agent, r, data);
            agent.send(new Message.StreamEnd(r.id(), data.length, sha));
            assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(new StreamResult(data.length, sha));
            assertThat(HexFormat.of().formatHex(sunk.digest())).isEqualTo(sha);
            assertThat(progress).isNotEmpty().last().isEqualTo((long) data.length);
        }
    }

    @Test
    public void aDamagedStreamFailsAndAnAgentBeyondItsCreditIsClosed() throws Exception {
        String mac = nextMac();
        Machine m = f.machine("damaged-" + mac.replace(":", ""), mac);
        byte[] data = new byte[1 << 20];
        try (TestAgent agent = f.authenticatedAgent(mac, "damaged")) {
            CompletableFuture<StreamResult> result = f.link.readStream(m.id(), "file", Map.of("path", "/dev/vda"),
                    buf -> buf.position(buf.limit()), null).toCompletableFuture();
            Message.ReadStream r = agent.expect(Message.ReadStream.class);
            stream(agent, r, data);
            agent.send(new Message.StreamEnd(r.id(), data.length, "00".repeat(32)));
            assertThat(failure(result)).isInstanceOf(AgentRequestException.class).hasMessageContaining("damaged");
        }
        String greedy = nextMac();
        Machine g = f.machine("greedy-" + greedy.replace(":", ""), greedy);
        try (LogCapture log = new LogCapture(); TestAgent agent = f.authenticatedAgent(greedy, "greedy")) {
            // A sink that never returns: all credit stays used, and the agent sends on regardless.
            CompletableFuture<Void> blocked = new CompletableFuture<>();
            CompletableFuture<StreamResult> result = f.link.readStream(g.id(), "file", Map.of("path", "/dev/vda"),
                    buf -> blocked.join(), null).toCompletableFuture();
            Message.ReadStream r = agent.expect(Message.ReadStream.class);
            byte[] chunk = new byte[FrameCodec.MAX_CHUNK];
            for (long sent = 0; sent <= r.windowBytes() + 2L * FrameCodec.MAX_CHUNK; sent += chunk.length) {
                agent.sendRaw(FrameCodec.encodeData(r.transferId(), chunk, 0, chunk.length));
            }
            assertThat(agent.awaitClose(Duration.ofSeconds(5))).contains("sent more than its credit");
            assertThat(failure(result)).hasMessageContaining("was lost");
            blocked.complete(null);
        }
    }

    @Test
    public void aDeployOsAgentIsAdmittedOnceByItsToken() throws Exception {
        String mac = nextMac();
        Machine m = f.machine("dos-" + mac.replace(":", ""), mac);
        f.deployOs.issue("token-" + mac, mac, 77);
        try (TestAgent agent = f.connect()) {
            agent.send(LinkFixture.deployOsHello(mac, "token-" + mac));
            agent.expect(Message.Welcome.class);
            LinkFixture.await("the Deploy-OS agent listed", Duration.ofSeconds(5), () -> f.link.agent(m.id())
                    .isPresent());
            AgentInfo info = f.link.agent(m.id()).orElseThrow();
            assertThat(info.deployOs()).isTrue();
            assertThat(info.executionId()).contains(77L);
            assertThat(info.machineId()).contains(m.id());
        }
        // The same token again: used up.
        long before = f.link.stats().get(LinkStats.Kind.DEPLOY_OS_REFUSED);
        try (LogCapture log = new LogCapture(); TestAgent agent = f.connect()) {
            int port = agent.socket.getLocalPort();
            agent.send(LinkFixture.deployOsHello(mac, "token-" + mac));
            assertThat(agent.expect(Message.ConnectionError.class).code()).isEqualTo("unauthenticated");
            agent.awaitClose(Duration.ofSeconds(5));
            assertThat(log.lines("refused Deploy-OS hello for MAC " + mac + " from 127.0.0.1:" + port
                    + ": wrong or used token")).hasSize(1);
        }
        // A wrong token, and the right token of another MAC.
        String other = nextMac();
        f.deployOs.issue("token-" + other, other, 78);
        for (String token : List.of("guessed", "token-" + other)) {
            try (TestAgent agent = f.connect()) {
                agent.send(LinkFixture.deployOsHello(mac, token));
                assertThat(agent.expect(Message.ConnectionError.class).code()).isEqualTo("unauthenticated");
                agent.awaitClose(Duration.ofSeconds(5));
            }
        }
        assertThat(f.link.stats().get(LinkStats.Kind.DEPLOY_OS_REFUSED) - before).isEqualTo(3);
        assertThat(f.link.status().closedByReason()).containsKey("deploy-os-refused");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
