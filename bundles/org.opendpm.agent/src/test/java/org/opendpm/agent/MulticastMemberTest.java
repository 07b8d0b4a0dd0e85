package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.agent.TestSupport.await;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.opendpm.agent.protocol.Message;
import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageReader;
import org.opendpm.image.ImageWriter;

/**
 * The agent's side of a multicast session (IMG-3, docs/agent-protocol.md "Multicast restore") against a file standing
 * in for disk 1 and a plain sender on a group of the loopback interface.
 */
public class MulticastMemberTest extends SessionFixture {

    private static final int CHUNK = ImageHeader.MIN_CHUNK_SIZE;
    private static final int CHUNKS = 12;
    private static final long SESSION = 0x1234_5678_9abcL;
    private static final InetAddress GROUP = group();

    private Path target;
    private Path imageFile;
    private byte[] source;
    private ImageReader image;

    private static InetAddress group() {
        try {
            // A group of its own per run, so parallel builds on one host do not hear each other's sessions.
            return InetAddress.getByName("239.255.27." + (1 + new Random().nextInt(250)));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    protected AgentConfig.Builder configure(AgentConfig.Builder b) {
        try {
            target = tmp.newFile("target.img").toPath();
            byte[] old = new byte[CHUNKS * CHUNK];
            Arrays.fill(old, (byte) 0x5a);
            Files.write(target, old);
            imageFile = tmp.getRoot().toPath().resolve("source.odpm");
            source = writeImage(imageFile);
            image = ImageReader.open(imageFile);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return b.testDisks(List.of(target));
    }

    /** Zeros (a hole), text and random bytes in turn. */
    private static byte[] writeImage(Path file) throws IOException {
        byte[] bytes = new byte[CHUNKS * CHUNK];
        Random r = new Random(5);
        byte[] line = "OpenDPM agent multicast line\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = switch (i / CHUNK % 3) {
            case 0 -> 0;
            case 1 -> line[i % line.length];
            default -> (byte) r.nextInt(256);
            };
        }
        ImageHeader header = new ImageHeader(UUID.randomUUID(), CHUNK, Instant.now(), "opendpm-linux", "Model 7",
                new ImageHeader.SourceMachine("m1", "02:00:00:00:00:01", "uuid-1"),
                List.of(new ImageHeader.Disk(1, bytes.length, 512, new byte[0], List.of())),
                List.of(new ImageHeader.Extent(1, 0, bytes.length)));
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                ImageWriter w = ImageWriter.create(out, header, ImageWriter.Options.DEFAULT)) {
            w.write(ByteBuffer.wrap(bytes));
            w.finish();
        }
        return bytes;
    }

    private Message.MulticastJoin join(long id, int port, long diskSize, int crc, List<Message.ChunkRange> confirmed,
            int dropSeconds) {
        return new Message.MulticastJoin(id, 500 + id, SESSION, image.header().imageId(), 7, GROUP.getHostAddress(),
                port, GroupPeer.BLOCK, List.of(new Message.DiskGeometry(1, diskSize, 512)), CHUNK, CHUNKS, crc,
                confirmed, true, dropSeconds);
    }

    /** Sends the join and the index in two data frames (an entry split between them); the answer's future. */
    private CompletableFuture<Message> send(Message.MulticastJoin j) throws IOException {
        CompletableFuture<Message> answer = session.expect(j.id());
        session.send(j);
        byte[] index = new byte[image.index().remaining()];
        image.index().get(index);
        session.sendData(j.transferId(), index, 0, 100);
        session.sendData(j.transferId(), index, 100, index.length - 100);
        return answer;
    }

    private BitSet progressOf(long id) {
        BitSet confirmed = new BitSet();
        for (Message m : session.events) {
            if (m instanceof Message.MulticastProgress p && p.id() == id) {
                for (Message.ChunkRange r : p.confirmed()) {
                    assertThat(confirmed.get((int) r.first(), (int) r.last() + 1).isEmpty())
                            .as("a chunk reported twice").isTrue();
                    confirmed.set((int) r.first(), (int) r.last() + 1);
                }
            }
        }
        return confirmed;
    }

    @Test
    public void aMemberReceivesFromTheGroupReportsProgressAndAnswersTheEndWithItsCompare() throws Exception {
        try (GroupPeer peer = new GroupPeer(GROUP, image, SESSION, false)) {
            long id = session.nextId();
            CompletableFuture<Message> answer = send(join(id, peer.port(), CHUNKS * CHUNK, image.indexCrc32c(), List
                    .of(), 60));
            await(Duration.ofSeconds(10), () -> session.events.contains(new Message.MulticastJoined(id)) || answer
                    .isDone(), "multicastJoined");
            assertThat(answer).as("no early answer").isNotDone();
            await(Duration.ofSeconds(30), () -> progressOf(id).cardinality() == CHUNKS, "every chunk confirmed");
            assertThat(answer).isNotDone(); // it waits for the server's end
            session.send(new Message.MulticastEnd(id));
            Message result = answer.get(30, TimeUnit.SECONDS);
            assertThat(result).isInstanceOfSatisfying(Message.MulticastResult.class, r -> {
                assertThat(r.chunks()).isEqualTo(CHUNKS);
                assertThat(r.compared()).isTrue();
                assertThat(r.mismatches()).isEmpty();
                assertThat(r.bytesWritten()).isEqualTo(8L * CHUNK); // every chunk but the 4 holes
            });
            assertThat(Files.readAllBytes(target)).isEqualTo(source);
        }
    }

    @Test
    public void aRejoinFetchesOnlyWhatWasNotConfirmed() throws Exception {
        // Chunks 0 to 5 are on the disk already, as a member that confirmed them before its reboot has them.
        byte[] disk = Files.readAllBytes(target);
        System.arraycopy(source, 0, disk, 0, 6 * CHUNK);
        Files.write(target, disk);
        try (GroupPeer peer = new GroupPeer(GROUP, image, SESSION, false)) {
            long id = session.nextId();
            CompletableFuture<Message> answer = send(join(id, peer.port(), CHUNKS * CHUNK, image.indexCrc32c(), List
                    .of(new Message.ChunkRange(0, 5)), 60));
            await(Duration.ofSeconds(30), () -> progressOf(id).cardinality() == CHUNKS - 6, "the rest confirmed");
            assertThat(progressOf(id).nextSetBit(0)).as("nothing confirmed before is reported again").isEqualTo(6);
            session.send(new Message.MulticastEnd(id));
            Message result = answer.get(30, TimeUnit.SECONDS);
            assertThat(result).isInstanceOfSatisfying(Message.MulticastResult.class, r -> {
                assertThat(r.mismatches()).isEmpty();
                assertThat(r.bytesWritten()).as("only the random and text chunks of 6 to 11").isEqualTo(4L * CHUNK);
            });
            assertThat(Files.readAllBytes(target)).isEqualTo(source);
        }
    }

    @Test
    public void anIndexWhoseCrcDisagreesIsRefusedBeforeAnyDiskIsOpened() throws Exception {
        long id = session.nextId();
        Message m = send(join(id, 26530, CHUNKS * CHUNK, image.indexCrc32c() ^ 1, List.of(), 60)).get(10,
                TimeUnit.SECONDS);
        assertThat(errorMessage(m)).contains("the index's CRC-32C is");
        assertThat(session.events).doesNotContain(new Message.MulticastJoined(id));
    }

    @Test
    public void anIndexEntryPastItsDiskIsRefusedNamingIt() throws Exception {
        long id = session.nextId();
        Message m = send(join(id, 26530, 5L * CHUNK, image.indexCrc32c(), List.of(), 60)).get(10,
                TimeUnit.SECONDS);
        assertThat(errorMessage(m)).contains("index entry 5 (chunk 5, disk 1, offset 327680)")
                .contains("end past the end of disk 1");
    }

    @Test
    public void moreIndexBytesThanTheJoinCountsAreRefused() throws Exception {
        long id = session.nextId();
        Message.MulticastJoin j = join(id, 26530, CHUNKS * CHUNK, image.indexCrc32c(), List.of(), 60);
        CompletableFuture<Message> answer = session.expect(id);
        session.send(j);
        byte[] tooMuch = new byte[CHUNKS * 72 + 1];
        session.sendData(j.transferId(), tooMuch, 0, tooMuch.length);
        assertThat(errorMessage(answer.get(10, TimeUnit.SECONDS))).contains("carry more than the 864 bytes");
    }

    @Test
    public void cancelStopsAMember() throws Exception {
        try (GroupPeer peer = new GroupPeer(GROUP, image, SESSION, true)) {
            long id = session.nextId();
            CompletableFuture<Message> answer = send(join(id, peer.port(), CHUNKS * CHUNK, image.indexCrc32c(), List
                    .of(), 60));
            await(Duration.ofSeconds(10), () -> session.events.contains(new Message.MulticastJoined(id)),
                    "multicastJoined");
            session.send(new Message.Cancel(id));
            Message m = answer.get(10, TimeUnit.SECONDS);
            assertThat(m).isInstanceOfSatisfying(Message.ErrorAnswer.class, e -> assertThat(e.code()).isEqualTo(
                    Message.ErrorAnswer.CANCELLED));
        }
    }

    @Test
    public void aMemberThatHearsNothingForTheDropBoundEndsNamingWrittenAndMissingChunks() throws Exception {
        try (GroupPeer peer = new GroupPeer(GROUP, image, SESSION, true)) {
            long id = session.nextId();
            Message m = send(join(id, peer.port(), CHUNKS * CHUNK, image.indexCrc32c(), List.of(), 10)).get(30,
                    TimeUnit.SECONDS);
            // The holes need no sender: they are in place before anything is heard.
            assertThat(errorMessage(m)).contains("nothing of multicast session " + SESSION + " heard for 10.0 s (4 "
                    + "chunks written, 8 missing)");
        }
    }
}
