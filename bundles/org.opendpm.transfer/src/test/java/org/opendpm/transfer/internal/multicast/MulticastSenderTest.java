package org.opendpm.transfer.internal.multicast;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.agent.protocol.multicast.BadPacketException;
import org.opendpm.agent.protocol.multicast.Packet;
import org.opendpm.agent.protocol.multicast.PacketCodec;
import org.opendpm.image.ChunkEntry;
import org.opendpm.image.ImageReader;

/**
 * The sender on a real Netty channel, to unicast 127.0.0.1: a plain UDP socket plays a receiver, asks with REQUESTs
 * and assembles with the agent's {@code ChunkAssembler} ({@link AgentSlot}); every chunk of a real image arrives byte-exact, a request for
 * some blocks gets exactly those, and nothing a stranger sends stops the channel (IMG-3, docs/multicast.md).
 */
public class MulticastSenderTest {

    private static final int CHUNKS = 12;
    private static final long SESSION = 0x5EED_0001L;
    private static final long MEMBER = 7;
    private static final int BLOCK = PacketCodec.DEFAULT_BLOCK_SIZE;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private byte[] source;
    private Path file;
    private ImageReader reader;
    private MulticastSender sender;
    private DatagramSocket receiver;

    @Before
    public void setUp() throws Exception {
        TestImage image = TestImage.write(tmp.getRoot().toPath().resolve("m.img"), CHUNKS);
        source = image.source();
        file = image.file();
        reader = ImageReader.open(file);
        receiver = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        receiver.setReceiveBufferSize(4 * 1024 * 1024);
        receiver.setSoTimeout(100);
        sender = new MulticastSender(reader, SESSION, new MulticastSender.Settings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                (InetSocketAddress) receiver.getLocalSocketAddress(), 1, BLOCK, 50_000_000L));
        sender.admit(MEMBER);
        sender.start();
    }

    @After
    public void tearDown() throws Exception {
        if (sender != null) {
            sender.stop();
        }
        if (receiver != null) {
            receiver.close();
        }
        if (reader != null) {
            reader.close();
        }
    }

    private UUID image() {
        return reader.header().imageId();
    }

    private void send(Packet p) throws IOException {
        send(PacketCodec.encode(p));
    }

    private void send(byte[] datagram) throws IOException {
        receiver.send(new DatagramPacket(datagram, datagram.length, sender.localAddress()));
    }

    /** The next packet, or null after the socket's timeout. */
    private Packet receive() throws IOException, BadPacketException {
        byte[] buf = new byte[PacketCodec.MAX_DATAGRAM];
        DatagramPacket d = new DatagramPacket(buf, buf.length);
        try {
            receiver.receive(d);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return PacketCodec.decode(ByteBuffer.wrap(buf, 0, d.getLength()));
    }

    private byte[] plain(long chunk) {
        ChunkEntry e;
        try {
            e = reader.entry(chunk);
        } catch (IOException ex) {
            throw new AssertionError(ex);
        }
        byte[] b = new byte[e.length()];
        System.arraycopy(source, (int) e.diskOffset(), b, 0, b.length);
        return b;
    }

    /** Asks for {@code chunk} through the agent's own slot and checks it against the source bytes. */
    private void assemble(long chunk, BitSet drop) throws Exception {
        try (AgentSlot agent = new AgentSlot(receiver, sender.localAddress(), file, SESSION, BLOCK, MEMBER)) {
            assertThat(agent.assemble(chunk, drop)).as("chunk %d byte-exact", chunk).isEqualTo(plain(chunk));
        }
    }

    @Test
    public void everyChunkOfARealImageArrivesByteExact() throws Exception {
        int assembled = 0;
        for (long c = 0; c < reader.chunkCount(); c++) {
            if (!reader.entry(c).hole()) {
                assemble(c, new BitSet());
                assembled++;
            }
        }
        assertThat(assembled).isEqualTo(CHUNKS * 2 / 3);
        assertThat(sender.requests(SenderCore.Verdict.QUEUED)).isPositive();
        assertThat(sender.failure()).isNull();
    }

    @Test
    public void lostBlocksAreAskedForByBitmapAndComeAgain() throws Exception {
        long random = 2;
        ChunkEntry e = reader.entry(random);
        int blocks = PacketCodec.blockCount(e.storedLength(), BLOCK);
        assertThat(blocks).as("random bytes make a chunk of many blocks").isGreaterThan(40);
        BitSet drop = new BitSet();
        for (int i = 0; i < blocks; i += 3) {
            drop.set(i);
        }
        drop.set(blocks - 1);
        assemble(random, drop);
        assertThat(drop.isEmpty()).as("every dropped block came a second time").isTrue();
    }

    @Test
    public void aRequestForSomeBlocksGetsExactlyThoseBlocks() throws Exception {
        long random = 5;
        ChunkEntry e = reader.entry(random);
        ByteBuffer stored = reader.readStoredChunk(random);
        int blocks = PacketCodec.blockCount(e.storedLength(), BLOCK);
        BitSet ask = new BitSet();
        ask.set(0);
        ask.set(4);
        ask.set(blocks - 1 - 3);
        send(new Packet.Request(SESSION, image(), random, e.storedLength(), BLOCK, MEMBER, 3, blocks - 3, ask));
        List<Integer> got = new ArrayList<>();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (got.size() < 3 && System.nanoTime() < deadline) {
            if (receive() instanceof Packet.Data d) {
                assertThat(d.chunk()).isEqualTo(random);
                ByteBuffer want = stored.slice(d.block() * BLOCK, PacketCodec.blockLength(e.storedLength(), BLOCK,
                        d.block()));
                assertThat(d.bytes()).as("block %d", d.block()).isEqualTo(want);
                got.add(d.block());
            }
        }
        assertThat(got).containsExactly(3, 7, blocks - 1);
        // Nothing more comes: each block went once.
        long quiet = System.nanoTime() + 500_000_000L;
        while (System.nanoTime() < quiet) {
            assertThat(receive() instanceof Packet.Data).as("no further DATA").isFalse();
        }
        assertThat(sender.datagramsSent()).isEqualTo(3);
    }

    @Test
    public void datagramsLeaveAtTheRateNotInABurst() throws Exception {
        sender.stop();
        sender = new MulticastSender(reader, SESSION, new MulticastSender.Settings(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                (InetSocketAddress) receiver.getLocalSocketAddress(), 1, BLOCK, RateControl.MIN));
        sender.admit(MEMBER);
        sender.start();
        long bytes = 0;
        int datagrams = 0;
        for (long c = 0; c < CHUNKS; c++) {
            ChunkEntry e = reader.entry(c);
            if (!e.hole()) {
                send(Packet.Request.whole(SESSION, image(), c, e.storedLength(), BLOCK, MEMBER));
                int blocks = PacketCodec.blockCount(e.storedLength(), BLOCK);
                bytes += e.storedLength() + (long) blocks * (PacketCodec.HEADER_BYTES + PacketCodec.DATA_FIELDS);
                datagrams += blocks;
            }
        }
        long start = System.nanoTime();
        int got = 0;
        while (got < datagrams && System.nanoTime() - start < 10_000_000_000L) {
            got += receive() instanceof Packet.Data ? 1 : 0;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(got).isEqualTo(datagrams);
        // At 1 MB/s after a 64 KiB burst; well under twice that long.
        double paced = (bytes - Pacer.BURST) / (double) RateControl.MIN;
        assertThat(seconds).as("%d bytes in %.2f s", bytes, seconds).isBetween(paced * 0.9, paced * 2 + 0.5);
    }

    @Test
    public void statusTellsTheRateTheChunkAndTheImagesChunkCount() throws Exception {
        Packet.Status s = null;
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (s == null && System.nanoTime() < deadline) {
            if (receive() instanceof Packet.Status got) {
                s = got;
            }
        }
        assertThat(s).isEqualTo(new Packet.Status(SESSION, image(), 0, RateControl.START, 0, CHUNKS));
    }

    @Test
    public void strangersDatagramsAreDroppedAndCountedAndTheChannelGoesOn() throws Exception {
        send(new byte[]{ 1, 2, 3 });
        byte[] notOurs = new byte[64];
        send(notOurs);
        ChunkEntry e = reader.entry(1);
        send(Packet.Request.whole(SESSION, image(), 1, e.storedLength(), BLOCK, MEMBER + 1));
        send(Packet.Request.whole(SESSION + 1, image(), 1, e.storedLength(), BLOCK, MEMBER));
        send(Packet.Request.whole(SESSION, image(), 1, e.storedLength() + 1, BLOCK, MEMBER));
        assemble(1, new BitSet());
        assertThat(sender.badPackets(BadPacketException.Reason.SHORT)).isEqualTo(1);
        assertThat(sender.badPackets(BadPacketException.Reason.MAGIC)).isEqualTo(1);
        assertThat(sender.requests(SenderCore.Verdict.NOT_MEMBER)).isEqualTo(1);
        assertThat(sender.requests(SenderCore.Verdict.FOREIGN)).isEqualTo(1);
        assertThat(sender.requests(SenderCore.Verdict.MISMATCH)).isEqualTo(1);
    }

    @Test
    public void anImageThatCannotBeReadStopsTheSendingAndTheStatus() throws Exception {
        ChunkEntry e = reader.entry(2);
        reader.close();
        send(Packet.Request.whole(SESSION, image(), 2, e.storedLength(), BLOCK, MEMBER));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (sender.failure() == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(sender.failure()).isNotNull();
        assertThat(sender.datagramsSent()).isZero();
        while (receive() != null) {
            // what was sent before the failure
        }
        long quiet = System.nanoTime() + 600_000_000L;
        while (System.nanoTime() < quiet) {
            assertThat(receive()).as("no STATUS after the failure").isNull();
        }
    }

    @Test
    public void stopClosesTheChannelAndItsPortIsFreeAgain() throws Exception {
        InetSocketAddress at = sender.localAddress();
        sender.stop();
        sender.stop();
        try (DatagramSocket again = new DatagramSocket(at)) {
            assertThat(again.getLocalPort()).isEqualTo(at.getPort());
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
                t -> t.getName().startsWith("opendpm-multicast-send-" + SESSION) && t.isAlive());
    }
}
