package org.opendpm.transfer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.transfer.internal.LinkFixture.mac;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.opendpm.agent.protocol.Frame;
import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.agent.ImageChunk;
import org.opendpm.api.agent.ImageChunkSink;
import org.opendpm.api.agent.ImageDisk;
import org.opendpm.api.agent.ImageExtent;
import org.opendpm.api.agent.ImageReadRequest;
import org.opendpm.api.agent.ImageReadResult;
import org.opendpm.api.agent.ImageWriteRequest;
import org.opendpm.api.agent.ImageWriteResult;
import org.opendpm.api.inventory.Machine;
import org.opendpm.image.Chunks;

/**
 * Image reads and writes, disk areas and Deploy-OS reconnection over real TLS sockets on 127.0.0.1, the test agent
 * playing the machine's side (IMG-1, IMG-3 unicast, IMG-6): every rule of a chunk stream checked before the sink sees a chunk, the
 * restore window, and a lost link failing every open image request at once.
 */
public class ImageLinkTest {

    private static final int CHUNK = 64 * 1024;
    private static LinkFixture f;
    /** A link whose image stall time-out is 1 s. */
    private static LinkFixture quick;
    private static final AtomicInteger MACS = new AtomicInteger(0x500);

    @BeforeClass
    public static void start() throws IOException {
        f = new LinkFixture();
        quick = new LinkFixture(Map.of("imageStallSeconds", 1));
    }

    @AfterClass
    public static void stop() {
        f.close();
        quick.close();
    }

    private record Agent(TestAgent agent, Machine machine) {
    }

    private static Agent agent(String name) throws Exception {
        return agent(f, name);
    }

    private static Agent agent(LinkFixture on, String name) throws Exception {
        String mac = mac(MACS.getAndIncrement());
        Machine m = on.machine(name + "-" + mac.replace(":", ""), mac);
        return new Agent(on.authenticatedAgent(mac, name), m);
    }

    private static Throwable failure(CompletionStage<?> stage) throws Exception {
        try {
            stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the request succeeded");
    }

    /** A sink that keeps copies of what it took, in order. */
    private static class Collecting implements ImageChunkSink {
        final List<ImageDisk> disks = new ArrayList<>();
        final List<ImageChunk> chunks = Collections.synchronizedList(new ArrayList<>());
        final List<byte[]> stored = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void begin(List<ImageDisk> d) {
            disks.addAll(d);
        }

        @Override
        public void accept(ImageChunk c) {
            chunks.add(c);
            byte[] b = new byte[c.storedLength()];
            if (c.stored() != null) {
                c.stored().duplicate().get(b);
            }
            stored.add(b);
        }
    }

    private static int crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return (int) c.getValue();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** An {@code imageChunk} for {@code stored} (empty: a hole), with its CRC-32C unless {@code crc} is given. */
    private static Message.ImageChunk header(long id, long n, int disk, long offset, int length, byte[] stored,
            Integer crc) {
        boolean hole = stored.length == 0;
        return new Message.ImageChunk(id, n, disk, offset, length, hole, stored.length,
                crc != null ? crc : hole ? 0 : crc(stored), hole ? Message.ImageChunk.HOLE_SHA256 : "ab".repeat(32));
    }

    private static void data(TestAgent agent, long transferId, byte[] stored) throws IOException {
        for (int off = 0; off < stored.length; off += FrameCodec.MAX_CHUNK) {
            int n = Math.min(FrameCodec.MAX_CHUNK, stored.length - off);
            agent.sendRaw(FrameCodec.encodeData(transferId, stored, off, n));
        }
    }

    /** The next control message that is neither a heartbeat nor a credit. */
    private static Message skipCredits(TestAgent agent) throws IOException {
        while (true) {
            Message m = agent.read();
            if (!(m instanceof Message.StreamCredit)) {
                return m;
            }
        }
    }

    // ------------------------------------------------------------------ backup

    @Test
    public void aBackupReachesTheSinkInOrderWithEachCrcCheckedAndCreditPerChunk_IMG1_IMG6() throws Exception {
        Agent a = agent("backup");
        try (TestAgent agent = a.agent()) {
            Collecting sink = new Collecting();
            List<Long> progress = Collections.synchronizedList(new ArrayList<>());
            // Disk 1: three whole chunks and a short one; disk 2: one chunk from offset 4096.
            var request = new ImageReadRequest(List.of(new ImageExtent(1, 0, 3L * CHUNK + 1000),
                    new ImageExtent(2, 4096, CHUNK)), CHUNK, 1, 0);
            CompletableFuture<ImageReadResult> result = f.link.readImage(a.machine().id(), request, sink,
                    (done, total, unit) -> {
                        assertThat(unit).isEqualTo("bytes");
                        assertThat(total).isEqualTo(4L * CHUNK + 1000);
                        progress.add(done);
                    }).toCompletableFuture();
            Message.ImageRead r = agent.expect(Message.ImageRead.class);
            assertThat(r.extents()).containsExactly(new Message.Extent(1, 0, 3L * CHUNK + 1000),
                    new Message.Extent(2, 4096, CHUNK));
            assertThat(r.chunkSize()).isEqualTo(CHUNK);
            assertThat(r.windowBytes()).isEqualTo(16L << 20).isGreaterThanOrEqualTo(Chunks.maxStored(CHUNK) + 256);
            agent.send(new Message.ImageBegin(r.id(), List.of(new Message.DiskGeometry(1, 1L << 30, 512),
                    new Message.DiskGeometry(2, 1L << 30, 4096))));
            // A chunk that grew in compression (up to zstd's bound), a hole, a short last chunk.
            byte[][] stored = { random(30_000, 1), random(Chunks.maxStored(CHUNK), 2), new byte[0], random(900, 3),
                    random(FrameCodec.MAX_CHUNK / 8 + 7, 4) };
            long[][] places = { { 1, 0, CHUNK }, { 1, CHUNK, CHUNK }, { 1, 2L * CHUNK, CHUNK },
                    { 1, 3L * CHUNK, 1000 }, { 2, 4096, CHUNK } };
            long storedBytes = 0;
            for (int n = 0; n < 5; n++) {
                agent.send(header(r.id(), n, (int) places[n][0], places[n][1], (int) places[n][2], stored[n], null));
                data(agent, r.transferId(), stored[n]);
                storedBytes += stored[n].length;
            }
            agent.send(new Message.ImageEnd(r.id(), 5, storedBytes));
            assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo(new ImageReadResult(5, storedBytes));
            assertThat(sink.disks).containsExactly(new ImageDisk(1, 1L << 30, 512), new ImageDisk(2, 1L << 30, 4096));
            assertThat(sink.chunks).extracting(ImageChunk::number).containsExactly(0L, 1L, 2L, 3L, 4L);
            assertThat(sink.chunks.get(2).hole()).isTrue();
            assertThat(sink.chunks.get(2).stored()).isNull();
            assertThat(sink.chunks.get(4).diskOffset()).isEqualTo(4096);
            assertThat(sink.chunks.get(0).sha256()).hasSize(32);
            for (int n = 0; n < 5; n++) {
                assertThat(sink.stored.get(n)).as("chunk %d", n).isEqualTo(stored[n]);
            }
            assertThat(progress).containsExactly((long) CHUNK, 2L * CHUNK, 3L * CHUNK, 3L * CHUNK + 1000,
                    4L * CHUNK + 1000);
            // One credit per chunk the sink took: its stored length and 256.
            long credited = 0;
            for (int n = 0; n < 5; n++) {
                Message.StreamCredit c = agent.expect(Message.StreamCredit.class);
                assertThat(c.id()).isEqualTo(r.id());
                credited += c.bytes();
            }
            assertThat(credited).isEqualTo(storedBytes + 5 * 256);
        }
    }

    @Test
    public void aResumedBackupStartsAtTheChunkAskedFor_IMG1() throws Exception {
        Agent a = agent("resumed");
        try (TestAgent agent = a.agent()) {
            Collecting sink = new Collecting();
            var request = new ImageReadRequest(List.of(new ImageExtent(1, 0, 2L * CHUNK),
                    new ImageExtent(1, 10L * CHUNK, CHUNK + 1)), CHUNK, 3, 2);
            CompletableFuture<ImageReadResult> result = f.link.readImage(a.machine().id(), request, sink, null)
                    .toCompletableFuture();
            Message.ImageRead r = agent.expect(Message.ImageRead.class);
            assertThat(r.fromChunk()).isEqualTo(2);
            assertThat(r.compressionLevel()).isEqualTo(3);
            agent.send(new Message.ImageBegin(r.id(), List.of(new Message.DiskGeometry(1, 1L << 30, 512))));
            byte[] s2 = random(100, 5);
            byte[] s3 = random(1, 6);
            agent.send(header(r.id(), 2, 1, 10L * CHUNK, CHUNK, s2, null));
            data(agent, r.transferId(), s2);
            agent.send(header(r.id(), 3, 1, 11L * CHUNK, 1, s3, null));
            data(agent, r.transferId(), s3);
            agent.send(new Message.ImageEnd(r.id(), 2, 101));
            assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo(new ImageReadResult(2, 101));
            assertThat(sink.chunks).extracting(ImageChunk::number).containsExactly(2L, 3L);
            // Past the last chunk: refused before anything is asked.
            assertThat(failure(f.link.readImage(a.machine().id(), new ImageReadRequest(List.of(new ImageExtent(1, 0,
                    CHUNK)), CHUNK, 1, 2), new Collecting(), null))).hasMessageContaining("cannot start at chunk 2");
        }
    }

    /** What a misbehaving agent does after {@code imageBegin} of a read of disk 1 [0, 4 chunks). */
    @FunctionalInterface
    private interface Misbehaviour {
        void send(TestAgent agent, Message.ImageRead r) throws IOException;
    }

    private static void assertRefused(TestAgent agent, long machineId, String expected, Misbehaviour misbehaviour)
            throws Exception {
        assertRefused(agent, machineId, expected, false, misbehaviour);
    }

    /** {@code ended}: the agent answered the request, so there is nothing to cancel. */
    private static void assertRefused(TestAgent agent, long machineId, String expected, boolean ended,
            Misbehaviour misbehaviour) throws Exception {
        Collecting sink = new Collecting();
        var result = f.link.readImage(machineId, new ImageReadRequest(List.of(new ImageExtent(1, 0, 4L * CHUNK)),
                CHUNK, 1, 0), sink, null);
        Message.ImageRead r = (Message.ImageRead) skipCredits(agent); // credits of the read before may come late
        agent.send(new Message.ImageBegin(r.id(), List.of(new Message.DiskGeometry(1, 1L << 30, 512))));
        misbehaviour.send(agent, r);
        assertThat(failure(result)).as(expected).isInstanceOf(AgentRequestException.class)
                .hasMessageContaining(expected);
        if (!ended) {
            // The agent is told to stop; the connection goes on.
            Message cancel = skipCredits(agent);
            assertThat(cancel).isEqualTo(new Message.Cancel(r.id()));
            agent.send(new Message.ErrorAnswer(r.id(), "cancelled", "cancelled"));
        }
        // Nothing of a refused chunk reached the sink.
        assertThat(sink.chunks).allSatisfy(c -> assertThat(c.number()).isZero());
    }

    @Test
    public void eachViolationOfAChunkStreamFailsTheReadNamingTheChunk_IMG1() throws Exception {
        Agent a = agent("violations");
        long id = a.machine().id();
        byte[] good = random(5000, 7);
        try (TestAgent agent = a.agent()) {
            assertRefused(agent, id, "chunk 2 (disk 1, offset 131072): expected chunk 1 next", (t, r) -> {
                t.send(header(r.id(), 0, 1, 0, CHUNK, good, null));
                data(t, r.transferId(), good);
                t.send(header(r.id(), 2, 1, 2L * CHUNK, CHUNK, good, null));
            });
            assertRefused(agent, id, "chunk 0 (disk 1, offset 512): length 65536, but the extents put chunk 0 on disk 1"
                    + " at offset 0 with length 65536",
                    (t, r) -> t.send(header(r.id(), 0, 1, 512, CHUNK, good,
                            null)));
            assertRefused(agent, id, "chunk 0 (disk 2, offset 0): length 65536, but the extents put chunk 0 on disk 1",
                    (t, r) -> t.send(header(r.id(), 0, 2, 0, CHUNK, good, null)));
            assertRefused(agent, id, "chunk 0 (disk 1, offset 0): length 4096, but the extents put chunk 0 on disk 1"
                    + " at offset 0 with length 65536",
                    (t, r) -> t.send(header(r.id(), 0, 1, 0, 4096, random(100,
                            13), null)));
            assertRefused(agent, id, "chunk 0 (disk 1, offset 0): data after a hole", (t, r) -> {
                t.send(header(r.id(), 0, 1, 0, CHUNK, new byte[0], null));
                data(t, r.transferId(), good);
            });
            assertRefused(agent, id, "chunk 0 (disk 1, offset 0): more than its 5000 stored bytes", (t, r) -> {
                t.send(header(r.id(), 0, 1, 0, CHUNK, good, null));
                data(t, r.transferId(), random(5001, 8));
            });
            assertRefused(agent, id, "chunk 0 (disk 1, offset 0): only 4000 of its 5000 stored bytes arrived", (t,
                    r) -> {
                t.send(header(r.id(), 0, 1, 0, CHUNK, good, null));
                data(t, r.transferId(), Arrays.copyOf(good, 4000));
                t.send(header(r.id(), 1, 1, CHUNK, CHUNK, good, null));
            });
            assertRefused(agent, id, "chunk 1 (disk 1, offset 65536): CRC-32C", (t, r) -> {
                t.send(header(r.id(), 0, 1, 0, CHUNK, good, null));
                data(t, r.transferId(), good);
                t.send(header(r.id(), 1, 1, CHUNK, CHUNK, good, crc(good) ^ 1));
                data(t, r.transferId(), good);
            });
            assertRefused(agent, id, "the agent ended before chunk 1", true, (t, r) -> {
                t.send(header(r.id(), 0, 1, 0, CHUNK, good, null));
                data(t, r.transferId(), good);
                t.send(new Message.ImageEnd(r.id(), 1, good.length));
            });
            assertRefused(agent, id, "a second 'imageBegin'", (t, r) -> t.send(new Message.ImageBegin(r.id(), List
                    .of(new Message.DiskGeometry(1, 1L << 30, 512)))));

            // A disk the extents do not name, or an extent outside its disk.
            for (var disks : List.of(List.of(new Message.DiskGeometry(2, 1L << 30, 512)), List.of(
                    new Message.DiskGeometry(1, CHUNK, 512)))) {
                var result = f.link.readImage(id, new ImageReadRequest(List.of(new ImageExtent(1, 0, 4L * CHUNK)),
                        CHUNK, 1, 0), new Collecting(), null);
                Message.ImageRead r = agent.expect(Message.ImageRead.class);
                agent.send(new Message.ImageBegin(r.id(), disks));
                assertThat(failure(result)).hasMessageContaining(disks.get(0).number() == 2
                        ? "the agent describes disks [2], the extents name disks [1]"
                        : "lies outside disk 1 of 65536 bytes");
                assertThat(agent.expect(Message.Cancel.class).id()).isEqualTo(r.id());
                agent.send(new Message.ErrorAnswer(r.id(), "cancelled", "cancelled"));
            }
        }
    }

    @Test
    public void anAgentBeyondItsCreditFailsTheReadNamingTheChunkAndIsClosed_IMG1() throws Exception {
        Agent a = agent("greedy");
        int chunk = 4 << 20;
        try (LogCapture log = new LogCapture(); TestAgent agent = a.agent()) {
            CompletableFuture<Void> blocked = new CompletableFuture<>();
            ImageChunkSink stuck = new ImageChunkSink() {
                @Override
                public void begin(List<ImageDisk> disks) {
                }

                @Override
                public void accept(ImageChunk c) {
                    blocked.join(); // takes nothing: no credit comes back
                }
            };
            var result = f.link.readImage(a.machine().id(), new ImageReadRequest(List.of(new ImageExtent(1, 0,
                    8L * chunk)), chunk, 1, 0), stuck, null);
            Message.ImageRead r = agent.expect(Message.ImageRead.class);
            assertThat(r.windowBytes()).isEqualTo(16L << 20);
            agent.send(new Message.ImageBegin(r.id(), List.of(new Message.DiskGeometry(1, 1L << 30, 512))));
            byte[] stored = random(4_000_000, 10);
            // Four chunks fit the window (4 × 4,000,256 bytes); the fifth does not.
            try {
                for (int n = 0; n < 5; n++) {
                    agent.send(header(r.id(), n, 1, (long) n * chunk, chunk, stored, null));
                    data(agent, r.transferId(), stored);
                }
            } catch (IOException closedWhileSending) {
                // the server closes as soon as it reads the fifth chunk's header
            }
            assertThat(agent.awaitClose(Duration.ofSeconds(10))).contains("chunk 4").contains("beyond its credit");
            assertThat(failure(result)).isInstanceOf(AgentRequestException.class).hasMessageContaining(
                    "chunk 4 (disk 1, offset 16777216): sent beyond its credit");
            blocked.complete(null);
        }
    }

    @Test
    public void aSinkFailureCancelsTheRead() throws Exception {
        Agent a = agent("sinkfail");
        try (TestAgent agent = a.agent()) {
            ImageChunkSink failing = new ImageChunkSink() {
                @Override
                public void begin(List<ImageDisk> disks) {
                }

                @Override
                public void accept(ImageChunk c) throws IOException {
                    throw new IOException("No space left on device");
                }
            };
            var result = f.link.readImage(a.machine().id(), new ImageReadRequest(List.of(new ImageExtent(1, 0,
                    CHUNK)), CHUNK, 1, 0), failing, null);
            Message.ImageRead r = agent.expect(Message.ImageRead.class);
            agent.send(new Message.ImageBegin(r.id(), List.of(new Message.DiskGeometry(1, 1L << 30, 512))));
            byte[] s = random(10, 11);
            agent.send(header(r.id(), 0, 1, 0, CHUNK, s, null));
            data(agent, r.transferId(), s);
            assertThat(failure(result)).isInstanceOf(AgentRequestException.class).hasMessageContaining(
                    "No space left on device");
            assertThat(agent.expect(Message.Cancel.class).id()).isEqualTo(r.id());
        }
    }

    // ------------------------------------------------------------------ restore

    /** A source of {@code count} chunks of {@code storedLength} random stored bytes each (every third a hole). */
    private static final class Source implements org.opendpm.api.agent.ImageChunkSource {
        final int count;
        final int chunkSize;
        final ByteBuffer buffer;
        final List<byte[]> given = new ArrayList<>();
        int next;

        Source(int count, int chunkSize, int storedLength) {
            this.count = count;
            this.chunkSize = chunkSize;
            this.buffer = ByteBuffer.allocate(storedLength);
        }

        @Override
        public ImageChunk next() {
            if (next == count) {
                return null;
            }
            int n = next++;
            if (n % 3 == 2) {
                given.add(new byte[0]);
                return new ImageChunk(n, 1, (long) n * chunkSize, chunkSize, true, 0, 0, new byte[32], null);
            }
            // The same buffer each time, as a real source reuses its own.
            byte[] b = random(buffer.capacity(), n);
            buffer.clear().put(b).flip();
            given.add(b);
            return new ImageChunk(n, 1, (long) n * chunkSize, chunkSize, false, b.length, crc(b), new byte[32],
                    buffer);
        }
    }

    /** Reads one chunk as the agent does: its header, then its data frames. */
    private static byte[] readChunk(TestAgent agent, Message.ImageWrite w, long expected) throws IOException {
        Message m = agent.read();
        assertThat(m).isInstanceOf(Message.ImageChunk.class);
        Message.ImageChunk c = (Message.ImageChunk) m;
        assertThat(c.id()).isEqualTo(w.id());
        assertThat(c.chunk()).isEqualTo(expected);
        ByteBuffer b = ByteBuffer.allocate(c.storedLength());
        while (b.hasRemaining()) {
            Frame f = agent.readFrame();
            if (f instanceof Frame.Data d) {
                assertThat(d.transferId()).isEqualTo(w.transferId());
                b.put(d.chunk());
            } else if (!(((Frame.Control) f).message() instanceof Message.Heartbeat)) {
                throw new AssertionError("a control frame inside chunk " + expected + ": " + f);
            }
        }
        assertThat(crc(b.array())).isEqualTo(c.crc32c());
        return b.array();
    }

    private static void assertNothingArrives(TestAgent agent) throws IOException {
        agent.socket.setSoTimeout(500);
        try {
            Frame frame = agent.readFrame();
            throw new AssertionError("the server sent beyond its window: " + frame);
        } catch (SocketTimeoutException expected) {
            // nothing more until a confirmation
        } finally {
            agent.socket.setSoTimeout(10_000);
        }
    }

    @Test
    public void aRestoreKeepsItsWindowAndReportsConfirmations_IMG3_IMG6() throws Exception {
        Agent a = agent("restore");
        int chunk = 4 << 20;
        int stored = 3_000_000;
        try (TestAgent agent = a.agent()) {
            Source source = new Source(9, chunk, stored);
            List<long[]> confirmed = Collections.synchronizedList(new ArrayList<>());
            var request = new ImageWriteRequest(List.of(new ImageDisk(1, 1L << 30, 512)), chunk, 0, 9, true);
            CompletableFuture<ImageWriteResult> result = f.link.writeImage(a.machine().id(), request, source,
                    (chunks, bytes) -> confirmed.add(new long[]{ chunks, bytes })).toCompletableFuture();
            Message.ImageWrite w = agent.expect(Message.ImageWrite.class);
            assertThat(w.disks()).containsExactly(new Message.DiskGeometry(1, 1L << 30, 512));
            assertThat(w.chunks()).isEqualTo(9);
            assertThat(w.compare()).isTrue();
            long window = w.windowBytes();
            assertThat(window).isEqualTo(16L << 20);
            // Nothing before the agent is ready.
            assertNothingArrives(agent);
            agent.send(new Message.ImageWriteReady(w.id()));
            // Chunks 0..6 (two holes) cost 5 × 3,000,256 + 2 × 256 bytes; chunk 7 would pass the window.
            List<byte[]> received = new ArrayList<>();
            for (int n = 0; n < 7; n++) {
                received.add(readChunk(agent, w, n));
            }
            assertNothingArrives(agent);
            agent.send(new Message.ImageWritten(w.id(), 2, 2L * chunk));
            for (int n = 7; n < 9; n++) {
                received.add(readChunk(agent, w, n));
            }
            agent.send(new Message.ImageWritten(w.id(), 9, 9L * chunk));
            assertThat(agent.read()).isEqualTo(new Message.ImageWriteEnd(w.id()));
            for (int n = 0; n < 9; n++) {
                assertThat(received.get(n)).as("chunk %d", n).isEqualTo(source.given.get(n));
            }
            LinkFixture.await("both confirmations", Duration.ofSeconds(5), () -> confirmed.size() == 2);
            assertThat(confirmed).containsExactly(new long[]{ 2, 2L * chunk }, new long[]{ 9, 9L * chunk });
            agent.send(new Message.ImageWriteResult(w.id(), 9, 9L * chunk, true, List.of(
                    new Message.ImageWriteResult.Mismatch(4, 1, 4L * chunk))));
            assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo(new ImageWriteResult(9, 9L * chunk, true, List.of(
                    new ImageWriteResult.Mismatch(4, 1, 4L * chunk))));
        }
    }

    @Test
    public void aRestoreFailsOnTheAgentsErrorAndOnAConfirmationOfChunksNotSent() throws Exception {
        Agent a = agent("restorebad");
        try (TestAgent agent = a.agent()) {
            var request = new ImageWriteRequest(List.of(new ImageDisk(1, 1L << 30, 512)), CHUNK, 0, 3, false);
            var refused = f.link.writeImage(a.machine().id(), request, new Source(3, CHUNK, 100), null);
            Message.ImageWrite w = agent.expect(Message.ImageWrite.class);
            agent.send(new Message.ErrorAnswer(w.id(), "failed", "disk 1 has 1000 bytes; the image needs "
                    + (1L << 30)));
            assertThat(failure(refused)).isInstanceOf(AgentRequestException.class).hasMessageContaining(
                    "disk 1 has 1000 bytes");

            var confused = f.link.writeImage(a.machine().id(), request, new Source(3, CHUNK, 100), null);
            w = agent.expect(Message.ImageWrite.class);
            agent.send(new Message.ImageWriteReady(w.id()));
            readChunk(agent, w, 0);
            agent.send(new Message.ImageWritten(w.id(), 7, 7L * CHUNK));
            assertThat(failure(confused)).hasMessageContaining("confirms chunks below 7");
        }
    }

    // ------------------------------------------------------------------ disk areas

    @Test
    public void diskAreasAreReadAndWritten_IMG1() throws Exception {
        Agent a = agent("areas");
        try (TestAgent agent = a.agent()) {
            var read = f.link.readDiskArea(a.machine().id(), 1, 0, 4096);
            Message.ReadDiskArea r = agent.expect(Message.ReadDiskArea.class);
            assertThat(r).isEqualTo(new Message.ReadDiskArea(r.id(), 1, 0, 4096));
            byte[] mbr = random(4096, 12);
            agent.send(new Message.DiskArea(r.id(), mbr));
            assertThat(read.toCompletableFuture().get(20, TimeUnit.SECONDS)).isEqualTo(mbr);

            var written = f.link.writeDiskArea(a.machine().id(), 1, 512, mbr);
            Message.WriteDiskArea wr = agent.expect(Message.WriteDiskArea.class);
            assertThat(wr).isEqualTo(new Message.WriteDiskArea(wr.id(), 1, 512, mbr));
            agent.send(new Message.Ack(wr.id()));
            assertThat(written.toCompletableFuture().get(20, TimeUnit.SECONDS)).isNull();

            assertThat(failure(f.link.readDiskArea(a.machine().id(), 1, 0, 512 * 1024 + 1))).hasMessageContaining(
                    "1 to 524288 bytes");
            assertThat(failure(f.link.writeDiskArea(a.machine().id(), 1, 0, new byte[0]))).hasMessageContaining(
                    "1 to 524288 bytes");
        }
    }

    // ------------------------------------------------------------------ losing the link

    // ------------------------------------------------------------------ stalls

    @Test
    public void aBackupFailsWhenTheAgentSendsNothingThoughItHasCredit() throws Exception {
        Agent a = agent(quick, "stalledread");
        try (TestAgent agent = a.agent()) {
            var request = new ImageReadRequest(List.of(new ImageExtent(1, 0, 4L * CHUNK)), CHUNK, 1, 0);
            var read = quick.link.readImage(a.machine().id(), request, new Collecting(), null);
            Message.ImageRead r = agent.expect(Message.ImageRead.class);
            agent.send(new Message.ImageBegin(r.id(), List.of(new Message.DiskGeometry(1, 1L << 30, 512))));
            byte[] stored = random(1000, 5);
            agent.send(header(r.id(), 0, 1, 0, CHUNK, stored, null));
            data(agent, r.transferId(), stored);
            // ... and then the disk hangs.
            assertThat(failure(read)).isInstanceOf(AgentRequestException.class).hasMessageContaining(
                    "nothing arrived from the agent for 1 s though it could send (after chunk 0 of 4): its disk read"
                            + " may hang");
            assertThat(skipCredits(agent)).isEqualTo(new Message.Cancel(r.id()));
        }
    }

    @Test
    public void aBackupWaitingForTheServersDiskIsNoStall() throws Exception {
        Agent a = agent(quick, "slowsink");
        int chunk = 4 << 20;
        try (TestAgent agent = a.agent()) {
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Collecting slow = new Collecting() {
                @Override
                public void accept(ImageChunk c) {
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    super.accept(c);
                }
            };
            var request = new ImageReadRequest(List.of(new ImageExtent(1, 0, 4L * chunk)), chunk, 1, 0);
            var read = quick.link.readImage(a.machine().id(), request, slow, null).toCompletableFuture();
            Message.ImageRead r = agent.expect(Message.ImageRead.class);
            agent.send(new Message.ImageBegin(r.id(), List.of(new Message.DiskGeometry(1, 1L << 30, 512))));
            // Three incompressible chunks leave less credit than a fourth could need: the agent must wait.
            byte[] stored = random(Chunks.maxStored(chunk), 6);
            for (int n = 0; n < 3; n++) {
                agent.send(header(r.id(), n, 1, (long) n * chunk, chunk, stored, null));
                data(agent, r.transferId(), stored);
            }
            Thread.sleep(2500);
            assertThat(read).as("waiting for the server's own disk is not the agent's stall").isNotDone();
            release.countDown();
            Message.StreamCredit credit = agent.expect(Message.StreamCredit.class);
            assertThat(credit.id()).isEqualTo(r.id());
            agent.send(header(r.id(), 3, 1, 3L * chunk, chunk, stored, null));
            data(agent, r.transferId(), stored);
            agent.send(new Message.ImageEnd(r.id(), 4, 4L * stored.length));
            assertThat(read.get(20, TimeUnit.SECONDS)).isEqualTo(new ImageReadResult(4, 4L * stored.length));
        }
    }

    @Test
    public void aRestoreFailsWhenTheAgentConfirmsNothingOrNeverOpensItsDisks() throws Exception {
        Agent a = agent(quick, "stalledwrite");
        try (TestAgent agent = a.agent()) {
            var request = new ImageWriteRequest(List.of(new ImageDisk(1, 1L << 30, 512)), CHUNK, 0, 2, false);
            var hung = quick.link.writeImage(a.machine().id(), request, new Source(2, CHUNK, 100), null);
            Message.ImageWrite w = agent.expect(Message.ImageWrite.class);
            agent.send(new Message.ImageWriteReady(w.id()));
            readChunk(agent, w, 0);
            readChunk(agent, w, 1);
            assertThat(failure(hung)).isInstanceOf(AgentRequestException.class).hasMessageContaining(
                    "the agent confirmed no chunk for 1 s (chunks below 0 confirmed, 2 sent): its disk may hang");
            assertThat(skipCredits(agent)).isEqualTo(new Message.ImageWriteEnd(w.id()));
            assertThat(skipCredits(agent)).isEqualTo(new Message.Cancel(w.id()));

            var closed = quick.link.writeImage(a.machine().id(), request, new Source(2, CHUNK, 100), null);
            agent.expect(Message.ImageWrite.class);
            assertThat(failure(closed)).hasMessageContaining("the agent did not open its disks for 1 s");
        }
    }

    @Test
    public void aRestoresFinalCompareMayTakeLongerThanTheStallTimeOut() throws Exception {
        Agent a = agent(quick, "longcompare");
        try (TestAgent agent = a.agent()) {
            var request = new ImageWriteRequest(List.of(new ImageDisk(1, 1L << 30, 512)), CHUNK, 0, 2, true);
            var write = quick.link.writeImage(a.machine().id(), request, new Source(2, CHUNK, 100), null)
                    .toCompletableFuture();
            Message.ImageWrite w = agent.expect(Message.ImageWrite.class);
            agent.send(new Message.ImageWriteReady(w.id()));
            readChunk(agent, w, 0);
            readChunk(agent, w, 1);
            agent.send(new Message.ImageWritten(w.id(), 2, 2L * CHUNK));
            assertThat(skipCredits(agent)).isEqualTo(new Message.ImageWriteEnd(w.id()));
            Thread.sleep(2500); // flushing and comparing the whole disk
            assertThat(write).isNotDone();
            agent.send(new Message.ImageWriteResult(w.id(), 2, 2L * CHUNK, true, List.of()));
            assertThat(write.get(20, TimeUnit.SECONDS)).isEqualTo(new ImageWriteResult(2, 2L * CHUNK, true,
                    List.of()));
        }
    }

    @Test
    public void losingTheConnectionFailsEveryOpenImageRequestAtOnce() throws Exception {
        Agent a = agent("lost");
        TestAgent agent = a.agent();
        var read = f.link.readImage(a.machine().id(), new ImageReadRequest(List.of(new ImageExtent(1, 0, CHUNK)),
                CHUNK, 1, 0), new Collecting(), null);
        agent.expect(Message.ImageRead.class);
        var write = f.link.writeImage(a.machine().id(), new ImageWriteRequest(List.of(new ImageDisk(1, 1L << 30,
                512)), CHUNK, 0, 1, false), new Source(1, CHUNK, 10), null);
        Message.ImageWrite w = agent.expect(Message.ImageWrite.class);
        agent.send(new Message.ImageWriteReady(w.id()));
        readChunk(agent, w, 0);
        agent.close();
        assertThat(failure(read)).isInstanceOf(AgentUnavailableException.class).hasMessageContaining("was lost");
        assertThat(failure(write)).isInstanceOf(AgentUnavailableException.class).hasMessageContaining("was lost");
    }

    @Test
    public void disconnectClosesTheSessionAsANetworkLossWould() throws Exception {
        Agent a = agent("cut");
        try (TestAgent agent = a.agent()) {
            var read = f.link.readImage(a.machine().id(), new ImageReadRequest(List.of(new ImageExtent(1, 0,
                    CHUNK)), CHUNK, 1, 0), new Collecting(), null);
            agent.expect(Message.ImageRead.class);
            assertThat(f.link.disconnect(a.machine().id())).isTrue();
            agent.awaitClose(Duration.ofSeconds(5));
            assertThat(failure(read)).isInstanceOf(AgentUnavailableException.class).hasMessageContaining(
                    "disconnected by the server");
            LinkFixture.await("the session gone", Duration.ofSeconds(5), () -> f.link.agent(a.machine().id())
                    .isEmpty());
            assertThat(f.link.disconnect(a.machine().id())).isFalse();
            assertThat(f.link.disconnect(987654321L)).isFalse();
        }
    }

    // ------------------------------------------------------------------ Deploy-OS reconnection

    private static Message.Hello resumeHello(String mac, String key) {
        return new Message.Hello(mac, Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(
                "192.0.2.10"), Optional.empty(), "Linux 6.1 amd64", "0.1.0", true, "on", Message.PROTOCOL_VERSION,
                Optional.of(key));
    }

    @Test
    public void aDeployOsAgentComesBackWithItsResumeKeyWhileItsSessionLasts() throws Exception {
        String mac = mac(MACS.getAndIncrement());
        Machine m = f.machine("dos-" + mac.replace(":", ""), mac);
        f.deployOs.issue("token-" + mac, mac, 91);
        String key;
        try (TestAgent agent = f.connect()) {
            agent.send(LinkFixture.deployOsHello(mac, "token-" + mac));
            key = agent.expect(Message.Welcome.class).resumeKey().orElseThrow();
        }
        LinkFixture.await("the first session gone", Duration.ofSeconds(5), () -> f.link.agent(m.id()).isEmpty());
        try (LogCapture log = new LogCapture()) {
            try (TestAgent agent = f.connect()) {
                agent.send(resumeHello(mac, key));
                assertThat(agent.expect(Message.Welcome.class).resumeKey()).hasValue(key);
                LinkFixture.await("the agent back", Duration.ofSeconds(5), () -> f.link.agent(m.id()).isPresent());
                assertThat(f.link.agent(m.id()).orElseThrow().executionId()).contains(91L);
            }
            long before = f.link.stats().get(LinkStats.Kind.DEPLOY_OS_REFUSED);
            String wrong = (key.charAt(0) == 'A' ? "B" : "A") + key.substring(1);
            try (TestAgent agent = f.connect()) {
                agent.send(resumeHello(mac, wrong));
                assertThat(agent.expect(Message.ConnectionError.class).code()).isEqualTo("unauthenticated");
                agent.awaitClose(Duration.ofSeconds(5));
            }
            f.deployOs.revoke(mac); // the execution ended
            try (TestAgent agent = f.connect()) {
                agent.send(resumeHello(mac, key));
                assertThat(agent.expect(Message.ConnectionError.class).code()).isEqualTo("unauthenticated");
                agent.awaitClose(Duration.ofSeconds(5));
            }
            assertThat(f.link.stats().get(LinkStats.Kind.DEPLOY_OS_REFUSED) - before).isEqualTo(2);
            assertThat(log.lines("refused Deploy-OS hello for MAC " + mac, "wrong or stale resume key")).hasSize(2);
            assertThat(log.lines(key)).isEmpty();
            assertThat(log.lines(wrong)).isEmpty();
        }
    }
}
