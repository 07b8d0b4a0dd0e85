package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.agent.TestSupport.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.Test;
import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;
import org.opendpm.image.BadChunk;
import org.opendpm.image.ChunkEntry;
import org.opendpm.image.Chunks;

/**
 * Image reads (backup) and writes (restore) and disk areas against files standing in for disks (--test-disk): disk 1
 * is the source, disk 2 the target, disk 3 a small one.
 */
public class ImageTest extends SessionFixture {

    static final int MIB = 1 << 20;
    static final int CHUNK = MIB;
    /** Source layout: random, a hole, compressible text, random again, and a short last chunk. */
    static final long SOURCE_SIZE = 13L * MIB + MIB / 2;

    private Path source;
    private Path target;
    private Path small;

    @Override
    protected AgentConfig.Builder configure(AgentConfig.Builder b) {
        try {
            source = tmp.newFile("source.img").toPath();
            target = tmp.newFile("target.img").toPath();
            small = tmp.newFile("small.img").toPath();
            writeSource(source);
            fill(target, SOURCE_SIZE, 0x5a);
            fill(small, 4L * MIB, 0x33);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return b.testDisks(List.of(source, target, small));
    }

    static void writeSource(Path f) throws IOException {
        Random r = new Random(7);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(SOURCE_SIZE); // 4 to 8 MiB stay a hole of the file
            byte[] random = new byte[4 * MIB];
            r.nextBytes(random);
            raf.seek(0);
            raf.write(random);
            StringBuilder text = new StringBuilder();
            for (int i = 0; text.length() < 4 * MIB; i++) {
                text.append("line ").append(i).append(": the quick brown fox jumps over the lazy dog\n");
            }
            raf.seek(8L * MIB);
            raf.write(text.substring(0, 4 * MIB).getBytes(StandardCharsets.US_ASCII));
            r.nextBytes(random);
            raf.seek(12L * MIB);
            raf.write(random, 0, MIB + MIB / 2);
        }
    }

    private static void fill(Path f, long size, int value) throws IOException {
        byte[] b = new byte[(int) size];
        Arrays.fill(b, (byte) value);
        Files.write(f, b);
    }

    /** One chunk as the server received it. */
    record Received(Message.ImageChunk header, byte[] stored) {
    }

    /** What an image read gave: begin, the chunks with their stored bytes, and the answer. */
    record Backup(long id, Message.ImageBegin begin, List<Received> chunks, Message answer) {
    }

    /** Runs an image read on the server side; {@code credit} says whether the sink grants credit per chunk. */
    Backup backup(List<Message.Extent> extents, long fromChunk, long window, boolean credit) throws Exception {
        long id = session.nextId();
        long transferId = 100 + id;
        List<Received> chunks = new CopyOnWriteArrayList<>();
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        Message.ImageChunk[] header = new Message.ImageChunk[1];
        session.eventListener = m -> {
            if (m instanceof Message.ImageChunk c && c.id() == id) {
                header[0] = c;
                current.reset();
                if (c.hole()) {
                    chunks.add(new Received(c, new byte[0]));
                    if (credit) {
                        session.send(new Message.StreamCredit(id, Message.CHUNK_COST));
                    }
                }
            }
        };
        session.streams.put(transferId, data -> {
            assertThat(data.length).isLessThanOrEqualTo(FrameCodec.MAX_CHUNK);
            current.write(data);
            if (current.size() == header[0].storedLength()) {
                chunks.add(new Received(header[0], current.toByteArray()));
                if (credit) {
                    session.send(new Message.StreamCredit(id, header[0].storedLength() + Message.CHUNK_COST));
                }
            }
            assertThat(current.size()).isLessThanOrEqualTo(header[0].storedLength());
        });
        CompletableFuture<Message> answer = session.expect(id);
        session.send(new Message.ImageRead(id, transferId, extents, CHUNK, 1, fromChunk, window));
        if (!credit) {
            return new Backup(id, null, chunks, null);
        }
        Message end = answer.get(60, TimeUnit.SECONDS);
        Message.ImageBegin begin = (Message.ImageBegin) session.events.stream().filter(
                e -> e instanceof Message.ImageBegin b && b.id() == id).findFirst().orElseThrow();
        return new Backup(id, begin, chunks, end);
    }

    static byte[] decode(Received r) {
        Message.ImageChunk c = r.header();
        ChunkEntry e = new ChunkEntry(c.chunk(), c.disk(), c.diskOffset(), c.length(), 0, c.storedLength(), c
                .crc32c(), HexFormat.of().parseHex(c.sha256()));
        ByteBuffer dst = ByteBuffer.allocate(c.length());
        BadChunk bad = Chunks.check(e, ByteBuffer.wrap(r.stored()), dst);
        assertThat(bad).as("chunk " + c.chunk()).isNull();
        return dst.array();
    }

    private static byte[] range(Path f, long offset, int length) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
            byte[] b = new byte[length];
            raf.seek(offset);
            raf.readFully(b);
            return b;
        }
    }

    private static long window() {
        return Chunks.maxStored(CHUNK) + Message.CHUNK_COST;
    }

    // ---------------------------------------------------------------- backup

    @Test
    public void aBackupDecodesToTheDiskWithItsHolesFlagged() throws Exception {
        Backup b = backup(List.of(new Message.Extent(1, 0, SOURCE_SIZE)), 0, 4 * window(), true);
        assertThat(b.begin().disks()).containsExactly(new Message.DiskGeometry(1, SOURCE_SIZE, 512));
        assertThat(b.chunks()).hasSize(14);
        byte[] disk = Files.readAllBytes(source);
        ByteArrayOutputStream restored = new ByteArrayOutputStream();
        long stored = 0;
        for (int i = 0; i < b.chunks().size(); i++) {
            Received r = b.chunks().get(i);
            Message.ImageChunk c = r.header();
            assertThat(c.chunk()).isEqualTo(i);
            assertThat(c.disk()).isEqualTo(1);
            assertThat(c.diskOffset()).isEqualTo((long) i * CHUNK);
            assertThat(c.length()).isEqualTo(i == 13 ? MIB / 2 : MIB);
            assertThat(c.hole()).as("chunk " + i + " is a hole").isEqualTo(i >= 4 && i < 8);
            if (c.hole()) {
                assertThat(c.sha256()).isEqualTo(Message.ImageChunk.HOLE_SHA256);
                restored.write(new byte[c.length()]);
            } else {
                restored.write(decode(r));
            }
            stored += c.storedLength();
        }
        assertThat(restored.toByteArray()).isEqualTo(disk);
        // Text compresses well, random bytes not at all.
        assertThat(b.chunks().get(8).header().storedLength()).isLessThan(MIB / 4);
        assertThat(b.chunks().get(0).header().storedLength()).isGreaterThan(MIB);
        assertThat(b.answer()).isEqualTo(new Message.ImageEnd(b.id(), 14, stored));
    }

    @Test
    public void chunksAreCutFromEachExtentsStartAndFromChunkIsHonoured() throws Exception {
        List<Message.Extent> extents = List.of(new Message.Extent(1, 0, MIB + MIB / 2), new Message.Extent(1,
                8L * MIB, 2L * MIB), new Message.Extent(3, MIB, 1));
        Backup b = backup(extents, 2, 4 * window(), true);
        assertThat(b.begin().disks()).containsExactly(new Message.DiskGeometry(1, SOURCE_SIZE, 512),
                new Message.DiskGeometry(3, 4L * MIB, 512));
        assertThat(b.chunks()).extracting(r -> r.header().chunk() + "@" + r.header().disk() + ":"
                + r.header().diskOffset() + "+" + r.header().length()).containsExactly("2@1:" + 8 * MIB + "+" + MIB,
                        "3@1:" + 9 * MIB + "+" + MIB, "4@3:" + MIB + "+1");
        assertThat(decode(b.chunks().get(1))).isEqualTo(range(source, 9L * MIB, MIB));
        assertThat(decode(b.chunks().get(2))).containsExactly(0x33);
        assertThat(((Message.ImageEnd) b.answer()).chunks()).isEqualTo(3);
    }

    @Test
    public void theAgentStopsWhenItsCreditIsUsedUpAndACancelEndsTheRead() throws Exception {
        // Random bytes: every chunk costs more than half the window, so one fits and the second waits.
        long window = window();
        Backup b = backup(List.of(new Message.Extent(1, 0, 4L * MIB)), 0, window, false);
        long id = b.id();
        await(Duration.ofSeconds(10), () -> b.chunks().size() == 1, "the first chunk");
        Thread.sleep(500);
        assertThat(b.chunks()).as("nothing beyond the window").hasSize(1);
        CompletableFuture<Message> answer = session.expect(id);
        session.send(new Message.StreamCredit(id, b.chunks().get(0).header().storedLength() + Message.CHUNK_COST));
        await(Duration.ofSeconds(10), () -> b.chunks().size() == 2, "a second chunk after its credit");
        Thread.sleep(300);
        assertThat(b.chunks()).hasSize(2);
        session.send(new Message.Cancel(id));
        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(new Message.ErrorAnswer(id, "cancelled",
                "cancelled by the server"));
    }

    @Test
    public void aLostConnectionAbandonsTheRead() throws Exception {
        try (TestSupport.LogCapture log = new TestSupport.LogCapture()) {
            Backup b = backup(List.of(new Message.Extent(1, 0, 4L * MIB)), 0, window(), false);
            await(Duration.ofSeconds(10), () -> b.chunks().size() == 1, "the first chunk");
            session.close();
            await(Duration.ofSeconds(10), () -> log.contains("Image read " + b.id() + " cancelled after 1 chunks"),
                    "the read abandoned");
        }
    }

    @Test
    public void aBackupOfAnUnknownDiskOrPastItsEndIsRefused() throws Exception {
        for (Message.Extent bad : List.of(new Message.Extent(9, 0, 1), new Message.Extent(3, 4L * MIB - 1, 2))) {
            Message m = session.request(i -> new Message.ImageRead(i, 200 + i, List.of(bad), CHUNK, 1, 0,
                    window()));
            assertThat(errorMessage(m)).as(bad.toString()).containsAnyOf("there is no disk 9",
                    "bytes 4194303 to 4194305 are outside disk 3 (4194304 bytes)");
        }
        assertThat(errorMessage(session.request(i -> new Message.ImageRead(i, 300, List.of(new Message.Extent(1, 0,
                MIB)), CHUNK, 1, 0, CHUNK + Message.CHUNK_COST)))).contains("is less than a chunk's worst case");
    }

    // ---------------------------------------------------------------- restore

    /** Sends the chunks as an image write to disk 2; {@code alter} may change a chunk before it is sent. */
    private Message restore(List<Received> chunks, boolean compare, UnaryOperator<Received> alter,
            Runnable beforeEnd) throws Exception {
        long id = session.nextId();
        long transferId = 500 + id;
        CompletableFuture<Message> answer = session.expect(id);
        session.send(new Message.ImageWrite(id, transferId, List.of(new Message.DiskGeometry(2, SOURCE_SIZE, 512)),
                CHUNK, 0, chunks.size(), compare, 64L * MIB));
        await(Duration.ofSeconds(10), () -> session.events.contains(new Message.ImageWriteReady(id))
                || answer.isDone(), "imageWriteReady");
        if (answer.isDone()) {
            return answer.get();
        }
        for (Received original : chunks) {
            Received r = alter.apply(original);
            Message.ImageChunk h = r.header();
            session.send(new Message.ImageChunk(id, h.chunk(), 2, h.diskOffset(), h.length(), h.hole(),
                    h.storedLength(), h.crc32c(), h.sha256()));
            for (int off = 0; off < r.stored().length; off += FrameCodec.MAX_CHUNK) {
                session.sendData(transferId, r.stored(), off, Math.min(FrameCodec.MAX_CHUNK, r.stored().length
                        - off));
            }
            if (answer.isDone()) {
                return answer.get();
            }
        }
        await(Duration.ofSeconds(20), () -> answer.isDone() || session.events.stream().anyMatch(
                e -> e instanceof Message.ImageWritten w && w.id() == id && w.chunks() == chunks.size()),
                "every chunk written");
        beforeEnd.run();
        session.send(new Message.ImageWriteEnd(id));
        return answer.get(30, TimeUnit.SECONDS);
    }

    private List<Received> sourceChunks() throws Exception {
        return backup(List.of(new Message.Extent(1, 0, SOURCE_SIZE)), 0, 4 * window(), true).chunks();
    }

    @Test
    public void aRestoreWritesTheTargetByteForByteAndComparesIt() throws Exception {
        List<Received> chunks = sourceChunks();
        Message m = restore(chunks, true, r -> r, () -> {
        });
        assertThat(m).isInstanceOf(Message.ImageWriteResult.class);
        Message.ImageWriteResult r = (Message.ImageWriteResult) m;
        assertThat(r.chunks()).isEqualTo(14);
        assertThat(r.bytesWritten()).isEqualTo(SOURCE_SIZE);
        assertThat(r.compared()).isTrue();
        assertThat(r.mismatches()).isEmpty();
        assertThat(Files.readAllBytes(target)).isEqualTo(Files.readAllBytes(source));
        List<Message.ImageWritten> confirmations = session.events.stream().filter(
                e -> e instanceof Message.ImageWritten w && w.id() == r.id()).map(e -> (Message.ImageWritten) e)
                .toList();
        assertThat(confirmations).last().isEqualTo(new Message.ImageWritten(r.id(), 14, SOURCE_SIZE));
    }

    @Test
    public void aChunkFailingItsCrcOrItsSha256IsNotWrittenAtAll() throws Exception {
        List<Received> chunks = sourceChunks();
        byte[] before = range(target, 2L * MIB, MIB);
        Message crc = restore(chunks, false, r -> {
            if (r.header().chunk() != 2) {
                return r;
            }
            byte[] stored = r.stored().clone();
            stored[1000] ^= 1;
            return new Received(r.header(), stored);
        }, () -> {
        });
        assertThat(errorMessage(crc)).startsWith("chunk 2 (disk 2, offset 2097152): stored bytes fail their "
                + "CRC-32C");
        assertThat(range(target, 2L * MIB, MIB)).as("nothing of chunk 2 written").isEqualTo(before);
        Message sha = restore(chunks, false, r -> {
            if (r.header().chunk() != 3) {
                return r;
            }
            Message.ImageChunk h = r.header();
            String other = "0".repeat(63) + "1";
            return new Received(new Message.ImageChunk(h.id(), h.chunk(), h.disk(), h.diskOffset(), h.length(),
                    false, h.storedLength(), h.crc32c(), other), r.stored());
        }, () -> {
        });
        assertThat(errorMessage(sha)).isEqualTo("chunk 3 (disk 2, offset 3145728): uncompressed bytes fail their "
                + "SHA-256");
        assertThat(range(target, 3L * MIB, MIB)).as("nothing of chunk 3 written").containsOnly(0x5a);
        // The session goes on.
        assertThat(session.request(i -> new Message.ReadDiskArea(i, 2, 0, 16))).isInstanceOf(
                Message.DiskArea.class);
    }

    @Test
    public void theComparePassFindsARangeAlteredAfterItWasWritten() throws Exception {
        List<Received> chunks = sourceChunks();
        Message m = restore(chunks, true, r -> r, () -> {
            try (RandomAccessFile raf = new RandomAccessFile(target.toFile(), "rw")) {
                raf.seek(9L * MIB + 77);
                raf.write(0xee);
                raf.seek(5L * MIB);
                raf.write(1); // inside a hole
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        Message.ImageWriteResult r = (Message.ImageWriteResult) m;
        assertThat(r.mismatches()).containsExactly(new Message.ImageWriteResult.Mismatch(5, 2, 5L * MIB),
                new Message.ImageWriteResult.Mismatch(9, 2, 9L * MIB));
    }

    @Test
    public void aDiskSmallerThanTheImageIsRefused() throws Exception {
        Message m = session.request(i -> new Message.ImageWrite(i, 700, List.of(new Message.DiskGeometry(3,
                SOURCE_SIZE, 512)), CHUNK, 0, 14, false, 64L * MIB));
        assertThat(errorMessage(m)).contains("disk 3").contains("has 4194304 bytes, less than the " + SOURCE_SIZE);
        assertThat(errorMessage(session.request(i -> new Message.ImageWrite(i, 701, List.of(new Message.DiskGeometry(
                7, 1, 512)), CHUNK, 0, 1, false, 64L * MIB)))).contains("there is no disk 7");
    }

    @Test
    public void badChunksFromTheServerGetAClearErrorAndTheSessionGoesOn() throws Exception {
        List<Received> chunks = sourceChunks();
        // A chunk past the disk's end.
        Message past = restore(chunks.subList(0, 1), false, r -> new Received(new Message.ImageChunk(0, 0, 2,
                SOURCE_SIZE - 10, MIB, false, r.header().storedLength(), r.header().crc32c(), r.header().sha256()),
                r.stored()), () -> {
                });
        assertThat(errorMessage(past)).isEqualTo("chunk 0 (disk 2, offset " + (SOURCE_SIZE - 10) + "): its 1048576 "
                + "bytes end past the end of disk 2 (" + SOURCE_SIZE + " bytes)");
        // Data frames longer than the stored length.
        Message tooLong = restore(chunks.subList(0, 1), false, r -> new Received(r.header(), Arrays.copyOf(r
                .stored(), r.stored().length + 5)), () -> {
                });
        assertThat(errorMessage(tooLong)).startsWith("chunk 0 (disk 2, offset 0): its data frames carry more than");
        // A chunk out of order.
        Message order = restore(chunks.subList(1, 2), false, r -> r, () -> {
        });
        assertThat(errorMessage(order)).isEqualTo("chunk 1 (disk 2, offset 1048576): chunk 0 was expected");
        assertThat(((Message.DiskArea) session.request(i -> new Message.ReadDiskArea(i, 1, 0, 4))).data())
                .isEqualTo(range(source, 0, 4));
    }

    // ---------------------------------------------------------------- disk areas

    @Test
    public void diskAreasAreReadAndWritten() throws Exception {
        Message read = session.request(i -> new Message.ReadDiskArea(i, 1, 12L * MIB, 512));
        assertThat(((Message.DiskArea) read).data()).isEqualTo(range(source, 12L * MIB, 512));
        byte[] table = "partition table".getBytes(StandardCharsets.US_ASCII);
        assertThat(session.request(i -> new Message.WriteDiskArea(i, 3, 446, table))).isInstanceOf(
                Message.Ack.class);
        assertThat(range(small, 446, table.length)).isEqualTo(table);
        assertThat(errorMessage(session.request(i -> new Message.ReadDiskArea(i, 3, 4L * MIB - 10, 11))))
                .isEqualTo("readDiskArea: bytes 4194294 to 4194305 are outside disk 3 (4194304 bytes)");
        assertThat(errorMessage(session.request(i -> new Message.WriteDiskArea(i, 4, 0, table))))
                .contains("there is no disk 4");
    }
}
