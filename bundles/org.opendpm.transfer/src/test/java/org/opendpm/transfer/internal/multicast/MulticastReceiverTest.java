package org.opendpm.transfer.internal.multicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.agent.multicast.ChunkDisks;
import org.opendpm.agent.multicast.MulticastReceiver;
import org.opendpm.agent.shaded.image.ChunkEntry;
import org.opendpm.agent.shaded.protocol.multicast.BadPacketException;
import org.opendpm.agent.shaded.protocol.multicast.Packet;
import org.opendpm.agent.shaded.protocol.multicast.PacketCodec;
import org.opendpm.image.ImageReader;

/**
 * The agent's multicast receiver (its shaded jar, as shipped) against the server's {@link MulticastSender} over
 * unicast 127.0.0.1: a real image restored to a file ends byte-equal to the source disk, also on a rejoin with half
 * the chunks confirmed and with DATA lost on purpose (repair), and nothing of another session or image reaches the
 * disk (IMG-3, docs/multicast.md "Receiver").
 */
public class MulticastReceiverTest {

    private static final int CHUNKS = 24;
    private static final long SESSION = 0x5EED_0003L;
    private static final long MEMBER = 4;
    private static final int BLOCK = PacketCodec.DEFAULT_BLOCK_SIZE;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private TestImage image;
    private ImageReader reader;
    private org.opendpm.agent.shaded.image.ImageReader index;
    private MulticastSender sender;
    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private Path target;

    /** A file as the disk; records which chunks were written from DATA. */
    private static final class FileDisks implements ChunkDisks {
        final FileChannel file;
        final Set<Long> written = ConcurrentHashMap.newKeySet();
        final AtomicInteger flushes = new AtomicInteger();

        FileDisks(Path p) throws IOException {
            file = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }

        @Override
        public void write(ChunkEntry e, ByteBuffer plain) throws IOException {
            assertThat(plain.remaining()).isEqualTo(e.length());
            written.add(e.number());
            long at = e.diskOffset();
            while (plain.hasRemaining()) {
                at += file.write(plain, at);
            }
        }

        @Override
        public void hole(ChunkEntry e) throws IOException {
            ByteBuffer zeros = ByteBuffer.allocate(e.length());
            long at = e.diskOffset();
            while (zeros.hasRemaining()) {
                at += file.write(zeros, at);
            }
        }

        @Override
        public void flush() throws IOException {
            file.force(false);
            flushes.incrementAndGet();
        }
    }

    @Before
    public void setUp() throws Exception {
        image = TestImage.write(tmp.getRoot().toPath().resolve("m.img"), CHUNKS);
        reader = ImageReader.open(image.file());
        index = org.opendpm.agent.shaded.image.ImageReader.open(image.file());
        target = tmp.getRoot().toPath().resolve("disk");
        // Not zeros: a hole the receiver leaves alone would show.
        byte[] junk = new byte[image.source().length];
        new Random(5).nextBytes(junk);
        Files.write(target, junk);
    }

    @After
    public void tearDown() throws Exception {
        pool.shutdownNow();
        if (sender != null) {
            sender.stop();
        }
        index.close();
        reader.close();
    }

    private MulticastReceiver.Join join(long session, BitSet confirmed) throws IOException {
        return join(session, index.header().imageId(), confirmed);
    }

    private MulticastReceiver.Join join(long session, UUID imageId, BitSet confirmed) throws IOException {
        List<ChunkEntry> entries = new ArrayList<>();
        for (long c = 0; c < index.chunkCount(); c++) {
            entries.add(index.entry(c));
        }
        return new MulticastReceiver.Join(session, imageId, MEMBER, BLOCK, TestImage.CHUNK,
                entries, confirmed);
    }

    /** Restores the image with a sender on 127.0.0.1 and returns the receiver, done. */
    private MulticastReceiver restore(MulticastReceiver.Join join, FileDisks disks, Predicate<Packet.Data> lose)
            throws Exception {
        DatagramChannel ch = MulticastReceiver.open(new InetSocketAddress(LOOPBACK, 0), null, null);
        sender = new MulticastSender(reader, SESSION, new MulticastSender.Settings(new InetSocketAddress(LOOPBACK, 0),
                (InetSocketAddress) ch.getLocalAddress(), 1, BLOCK, 50_000_000L));
        sender.admit(MEMBER);
        sender.start();
        MulticastReceiver receiver = new MulticastReceiver(join, ch, sender.localAddress(), Duration.ofSeconds(5),
                disks, lose);
        Future<?> run = pool.submit(() -> {
            receiver.run();
            return null;
        });
        try {
            run.get(60, TimeUnit.SECONDS);
        } finally {
            receiver.close();
        }
        assertThat(receiver.done()).isTrue();
        assertThat(receiver.confirmed().cardinality()).isEqualTo(CHUNKS);
        return receiver;
    }

    private void assertTargetIsTheSource() throws IOException {
        assertThat(Files.readAllBytes(target)).as("the disk byte-equal to the source").isEqualTo(image.source());
    }

    @Test
    public void aRealImageIsRestoredByteEqual() throws Exception {
        FileDisks disks = new FileDisks(target);
        MulticastReceiver r = restore(join(SESSION, new BitSet()), disks, d -> false);
        assertTargetIsTheSource();
        assertThat(disks.written).hasSize(CHUNKS * 2 / 3);
        assertThat(disks.flushes).hasPositiveValue();
        assertThat(r.bytesWritten()).isEqualTo((long) CHUNKS * 2 / 3 * TestImage.CHUNK);
        assertThat(r.badChunks()).isZero();
    }

    @Test
    public void aRejoinWithHalfTheChunksConfirmedAsksOnlyForTheRest() throws Exception {
        BitSet confirmed = new BitSet();
        confirmed.set(0, CHUNKS / 2);
        try (FileChannel f = FileChannel.open(target, StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.wrap(image.source(), 0, CHUNKS / 2 * TestImage.CHUNK), 0);
        }
        FileDisks disks = new FileDisks(target);
        restore(join(SESSION, confirmed), disks, d -> false);
        assertTargetIsTheSource();
        assertThat(disks.written).allMatch(c -> c >= CHUNKS / 2).hasSize(CHUNKS / 2 * 2 / 3);
    }

    @Test
    public void dataLostOnTheWayIsRepaired() throws Exception {
        Random r = new Random(17);
        AtomicInteger lost = new AtomicInteger();
        FileDisks disks = new FileDisks(target);
        restore(join(SESSION, new BitSet()), disks, d -> {
            boolean lose = r.nextInt(100) < 15;
            lost.addAndGet(lose ? 1 : 0);
            return lose;
        });
        assertTargetIsTheSource();
        assertThat(lost.get()).as("DATA lost on purpose").isGreaterThan(50);
    }

    @Test
    public void aGroupOfTheOtherAddressFamilyThanTheBindAddressIsRefused() throws Exception {
        // The JDK's default wildcard (new InetSocketAddress(port)) is IPv4's: an IPv6 group needs ::.
        assertThatThrownBy(() -> MulticastReceiver.open(new InetSocketAddress(26530), InetAddress.getByName(
                "ff15::1a:1"), null)).isInstanceOf(IllegalArgumentException.class).hasMessage(
                        "group ff15:0:0:0:0:0:1a:1 and bind address 0.0.0.0 are of different address families");
        assertThatThrownBy(() -> MulticastReceiver.open(new InetSocketAddress(InetAddress.getByName("::"), 26530),
                InetAddress.getByName("239.255.26.1"), null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("group 239.255.26.1 and bind address 0:0:0:0:0:0:0:0 are of different address families");
    }

    @Test
    public void nothingOfAnotherSessionReachesTheDisk() throws Exception {
        writesNothing(join(SESSION + 1, new BitSet()), SESSION + 1);
    }

    @Test
    public void nothingOfAnotherImageReachesTheDisk() throws Exception {
        writesNothing(join(SESSION, UUID.randomUUID(), new BitSet()), SESSION);
    }

    /**
     * A receiver whose join names another session or image hears the sender's whole stream, asked for by a third
     * party, and must write nothing.
     */
    private void writesNothing(MulticastReceiver.Join other, long session) throws Exception {
        try (DatagramSocket asker = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            FileDisks disks = new FileDisks(target);
            DatagramChannel ch = MulticastReceiver.open(new InetSocketAddress(LOOPBACK, 0), null, null);
            sender = new MulticastSender(reader, SESSION, new MulticastSender.Settings(new InetSocketAddress(
                    LOOPBACK, 0), (InetSocketAddress) ch.getLocalAddress(), 1, BLOCK, 50_000_000L));
            sender.admit(MEMBER);
            sender.start();
            try (MulticastReceiver receiver = new MulticastReceiver(other, ch, sender.localAddress(),
                    Duration.ofSeconds(1), disks, d -> false)) {
                Future<?> run = pool.submit(() -> {
                    receiver.run();
                    return null;
                });
                for (long c = 0; c < reader.chunkCount(); c++) {
                    if (!reader.entry(c).hole()) {
                        byte[] b = PacketCodec.encode(Packet.Request.whole(SESSION, index.header().imageId(), c,
                                reader.entry(c).storedLength(), BLOCK, MEMBER));
                        asker.send(new DatagramPacket(b, b.length, sender.localAddress()));
                    }
                }
                byte[] junk = { 1, 2, 3 };
                asker.send(new DatagramPacket(junk, junk.length, ch.getLocalAddress()));
                assertThatThrownBy(() -> run.get(30, TimeUnit.SECONDS)).hasMessageContaining(
                        "nothing of multicast session " + session + " heard for 1.0 s");
                assertThat(receiver.foreign()).as("the other session's DATA and STATUS, dropped")
                        .isGreaterThan(CHUNKS);
                assertThat(receiver.badPackets(BadPacketException.Reason.SHORT)).isEqualTo(1);
                assertThat(disks.written).isEmpty();
            }
        }
        byte[] now = Files.readAllBytes(target);
        for (int c = 0; c < CHUNKS; c++) {
            if (c % 3 != 0) {
                assertThat(ByteBuffer.wrap(now, c * TestImage.CHUNK, TestImage.CHUNK)).as("chunk %d untouched", c)
                        .isNotEqualTo(ByteBuffer.wrap(image.source(), c * TestImage.CHUNK, TestImage.CHUNK));
            }
        }
    }

    @Test
    public void aReceiverThatHearsNothingEndsWithAClearError() throws Exception {
        DatagramChannel ch = MulticastReceiver.open(new InetSocketAddress(LOOPBACK, 0), null, null);
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
                MulticastReceiver receiver = new MulticastReceiver(join(SESSION, new BitSet()), ch,
                        (InetSocketAddress) silent.getLocalSocketAddress(), Duration.ofMillis(300),
                        new FileDisks(target), d -> false)) {
            assertThatThrownBy(receiver::run).isInstanceOf(IOException.class).hasMessageContaining(
                    "nothing of multicast session " + SESSION + " heard for 0.3 s (8 chunks written, 16 missing)");
        }
    }
}
