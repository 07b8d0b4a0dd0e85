package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.agent.TestSupport.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.Test;
import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;

/** {@code readStream} with credit, and {@code diskInventory} (IMG-4). */
public class StreamTest extends SessionFixture {

    private static final List<Message.Disks.Disk> DISKS = List.of(new Message.Disks.Disk(1, "vda", 8L << 30, "gpt",
            "", List.of(new Message.Disks.Partition(1, 1 << 20, 512L << 20, "c12a7328-f81f-11d2-ba4b-00a0c93ec93b",
                    "vfat")),
            ""));

    @Override
    protected DiskScanner disks() {
        return () -> DISKS;
    }

    private Path bigFile(int mib) throws IOException {
        Path f = state.resolve("disk.img");
        Random r = new Random(11);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(f)) {
            for (int i = 0; i < mib; i++) {
                r.nextBytes(block);
                out.write(block);
            }
        }
        return f;
    }

    private static String sha256(Path f) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(Files.readAllBytes(f));
        return HexFormat.of().formatHex(d.digest());
    }

    @Test
    public void aFileStreamsWithinItsCreditToASlowSink() throws Exception {
        Path f = bigFile(64);
        long window = 4L * FrameCodec.MAX_CHUNK;
        long id = session.nextId();
        long transferId = 50;
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        AtomicLong received = new AtomicLong();
        AtomicLong credited = new AtomicLong(window);
        AtomicLong worstAhead = new AtomicLong();
        session.streams.put(transferId, chunk -> {
            long ahead = received.addAndGet(chunk.length) - (credited.get() - window);
            worstAhead.accumulateAndGet(ahead, Math::max);
            digest.update(chunk);
            if (received.get() < (8 << 20)) {
                try {
                    Thread.sleep(20); // a slow sink for the first 8 MiB
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            credited.addAndGet(chunk.length);
            session.send(new Message.StreamCredit(id, chunk.length));
        });
        CompletableFuture<Message> answer = session.expect(id);
        session.send(new Message.ReadStream(id, transferId, "file", Map.of("path", f.toString()), window));
        Message end = answer.get(60, TimeUnit.SECONDS);
        String sha = sha256(f);
        assertThat(end).isEqualTo(new Message.StreamEnd(id, 64L << 20, sha));
        assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(sha);
        assertThat(received.get()).isEqualTo(64L << 20);
        // Never more in flight than the credit allowed: the agent waited for the slow sink instead of buffering.
        assertThat(worstAhead.get()).isLessThanOrEqualTo(window);
        assertThat(session.events.get(0)).isEqualTo(new Message.StreamBegin(id, 64L << 20));
        assertThat(session.events).contains(new Message.Progress(id, 16L << 20, 64L << 20, "bytes"));
    }

    @Test
    public void withoutCreditTheAgentStopsAndACancelEndsTheStream() throws Exception {
        Path f = bigFile(8);
        long id = session.nextId();
        AtomicLong received = new AtomicLong();
        session.streams.put(51L, chunk -> received.addAndGet(chunk.length));
        CompletableFuture<Message> answer = session.expect(id);
        session.send(new Message.ReadStream(id, 51, "file", Map.of("path", f.toString()), 3 * FrameCodec.MAX_CHUNK));
        await(Duration.ofSeconds(10), () -> received.get() == 3 * FrameCodec.MAX_CHUNK, "the window sent");
        Thread.sleep(500);
        assertThat(received.get()).as("nothing beyond the window").isEqualTo(3 * FrameCodec.MAX_CHUNK);
        session.send(new Message.Cancel(id));
        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(new Message.ErrorAnswer(id, "cancelled",
                "cancelled by the server"));
    }

    @Test
    public void onlyBlockDevicesAndFilesInTheStateFolderMayBeStreamed() throws Exception {
        Path outside = tmp.newFile("outside").toPath();
        for (Map.Entry<String, String> bad : Map.of(outside.toString(), "may not be streamed",
                "/etc/hostname", "may not be streamed", "relative", "is not an absolute path",
                "/dev/null", "may not be streamed", state.resolve("../outside").toString(), "may not be streamed")
                .entrySet()) {
            Message m = session.request(i -> new Message.ReadStream(i, 60 + i, "file", Map.of("path", bad.getKey()),
                    1 << 20));
            assertThat(errorMessage(m)).as(bad.getKey()).contains(bad.getValue());
        }
        assertThat(errorMessage(session.request(i -> new Message.ReadStream(i, 70, "partition", Map.of(), 1))))
                .contains("unknown stream source 'partition'");
        assertThat(errorMessage(session.request(i -> new Message.ReadStream(i, 71, "file", Map.of(), 1))))
                .contains("needs the parameter 'path'");
    }

    @Test
    public void diskInventoryAnswersWhatTheScannerFinds() throws Exception {
        Message m = session.request(Message.DiskInventory::new);
        assertThat(m).isInstanceOf(Message.Disks.class);
        assertThat(((Message.Disks) m).disks()).isEqualTo(DISKS);
    }

    @Test
    public void imageRequestsAreRefusedOutsideADeployOsWithoutTestDisks() throws Exception {
        assertThat(errorMessage(session.request(i -> new Message.ImageRead(i, 80, List.of(new Message.Extent(1, 0,
                1 << 20)), 1 << 20, 1, 0, 4L << 20)))).isEqualTo("imageRead is served only by an agent in a "
                        + "Deploy-OS (--deploy-os) or with --test-disk");
        assertThat(errorMessage(session.request(i -> new Message.ImageWrite(i, 81, List.of(new Message.DiskGeometry(1,
                1 << 20, 512)), 1 << 20, 0, 1, false, 4L << 20)))).startsWith("imageWrite is served only");
        assertThat(errorMessage(session.request(i -> new Message.ReadDiskArea(i, 1, 0, 512)))).startsWith(
                "readDiskArea is served only");
        assertThat(errorMessage(session.request(i -> new Message.WriteDiskArea(i, 1, 0, new byte[1])))).startsWith(
                "writeDiskArea is served only");
    }
}
