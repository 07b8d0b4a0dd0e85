package org.opendpm.agent.multicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import org.junit.Test;
import org.opendpm.agent.multicast.ChunkAssembler.Offer;
import org.opendpm.agent.protocol.multicast.BadPacketException;
import org.opendpm.agent.protocol.multicast.Packet;
import org.opendpm.agent.protocol.multicast.PacketCodec;
import org.opendpm.image.BadChunk;
import org.opendpm.image.ChunkEntry;
import org.opendpm.image.Chunks;

/**
 * A receiver's chunk slot against real chunks (zstd, CRC-32C, SHA-256 by {@link Chunks#encode}) whose blocks travel
 * through the packet codec: loss, reordering, duplicates, foreign and mismatched blocks, damaged bytes (IMG-3,
 * docs/multicast.md "Receiver").
 */
public class ChunkAssemblerTest {

    private static final long SESSION = 4242;
    private static final UUID IMAGE = UUID.fromString("5b0d1a2e-8c4f-4e3a-9b7d-2f6e8a1c3d4e");
    private static final int CHUNK_SIZE = 64 * 1024;
    private static final int BLOCK = PacketCodec.DEFAULT_BLOCK_SIZE;

    /** A chunk's bytes, its index entry and its stored bytes. */
    private record Chunk(byte[] plain, ChunkEntry entry, ByteBuffer stored) {
    }

    /** Half random, half text: zstd stores it in some tens of blocks. */
    private static Chunk chunk(long number, int length, long seed) {
        Random r = new Random(seed);
        ByteBuffer src = ByteBuffer.allocateDirect(length);
        byte[] plain = new byte[length];
        for (int i = 0; i < length; i++) {
            plain[i] = i % 2 == 0 ? (byte) r.nextInt(256) : (byte) ('a' + i % 26);
        }
        src.put(plain).clear();
        ByteBuffer dst = ByteBuffer.allocateDirect(Chunks.maxStored(length));
        Chunks.Encoded e = Chunks.encode(src, length, dst, 1);
        ChunkEntry entry = new ChunkEntry(number, 1, number * length, length, 0, e.storedLength(), e.crc32c(),
                e.sha256());
        return new Chunk(plain, entry, dst.limit(e.storedLength()).slice());
    }

    /** Block {@code i} of {@code c} as it arrives: encoded to a datagram and decoded again. */
    private static Packet.Data block(Chunk c, long session, UUID image, int i) throws BadPacketException {
        int stored = c.entry().storedLength();
        ByteBuffer bytes = c.stored().slice(i * BLOCK, PacketCodec.blockLength(stored, BLOCK, i));
        Packet.Data sent = new Packet.Data(session, image, c.entry().number(), stored, BLOCK, i, bytes);
        return (Packet.Data) PacketCodec.decode(ByteBuffer.wrap(PacketCodec.encode(sent)));
    }

    private static Packet.Data block(Chunk c, int i) throws BadPacketException {
        return block(c, SESSION, IMAGE, i);
    }

    private static ChunkAssembler slot() {
        return new ChunkAssembler(SESSION, IMAGE, BLOCK, CHUNK_SIZE);
    }

    private static void assertChecksAndHolds(ChunkAssembler a, Chunk c) {
        ByteBuffer dst = ByteBuffer.allocateDirect(CHUNK_SIZE);
        assertThat(a.check(dst)).isNull();
        byte[] got = new byte[c.entry().length()];
        dst.get(0, got);
        assertThat(got).isEqualTo(c.plain());
        assertThat(a.entry()).as("a checked chunk leaves the slot").isNull();
    }

    @Test
    public void blocksInOrderMakeTheChunk() throws Exception {
        Chunk c = chunk(5, CHUNK_SIZE, 1);
        int blocks = PacketCodec.blockCount(c.entry().storedLength(), BLOCK);
        assertThat(blocks).as("a chunk of several blocks, the last one short").isGreaterThan(10);
        ChunkAssembler a = slot();
        a.begin(c.entry());
        assertThat(a.requests(9)).containsExactly(
                Packet.Request.whole(SESSION, IMAGE, 5, c.entry().storedLength(), BLOCK, 9));
        for (int i = 0; i < blocks - 1; i++) {
            assertThat(a.offer(block(c, i))).isEqualTo(Offer.ACCEPTED);
        }
        assertThat(a.missingBlocks()).isEqualTo(1);
        assertThat(a.offer(block(c, blocks - 1))).isEqualTo(Offer.COMPLETE);
        assertThat(a.requests(9)).isEmpty();
        assertChecksAndHolds(a, c);
    }

    @Test
    public void lossReorderingAndDuplicatesAreRepairedByTheRequestedBlocks() throws Exception {
        Chunk c = chunk(7, CHUNK_SIZE, 2);
        int blocks = PacketCodec.blockCount(c.entry().storedLength(), BLOCK);
        Random r = new Random(3);
        List<Integer> order = new ArrayList<>();
        BitSet lost = new BitSet();
        for (int i = 0; i < blocks; i++) {
            if (r.nextInt(100) < 20) {
                lost.set(i);
            } else {
                order.add(i);
                if (r.nextInt(100) < 30) {
                    order.add(i);
                }
            }
        }
        lost.set(blocks - 1);
        order.remove(Integer.valueOf(blocks - 1));
        order.remove(Integer.valueOf(blocks - 1));
        Collections.shuffle(order, r);
        ChunkAssembler a = slot();
        a.begin(c.entry());
        int duplicates = 0;
        for (int i : order) {
            Offer o = a.offer(block(c, i));
            assertThat(o).isIn(Offer.ACCEPTED, Offer.DUPLICATE);
            duplicates += o == Offer.DUPLICATE ? 1 : 0;
        }
        assertThat(duplicates).isPositive().isEqualTo(order.size() - (blocks - lost.cardinality()));
        assertThat(a.missingBlocks()).isEqualTo(lost.cardinality());

        List<Packet.Request> requests = a.requests(3);
        assertThat(requests).hasSize(1);
        Packet.Request q = (Packet.Request) PacketCodec.decode(ByteBuffer.wrap(PacketCodec.encode(requests.get(0))));
        BitSet asked = new BitSet();
        q.missing().stream().forEach(k -> asked.set(q.firstBlock() + k));
        assertThat(asked).isEqualTo(lost);
        assertThat(q.member()).isEqualTo(3);

        for (int i = lost.nextSetBit(0); i >= 0; i = lost.nextSetBit(i + 1)) {
            assertThat(a.offer(block(c, i))).isEqualTo(i == lost.length() - 1 ? Offer.COMPLETE : Offer.ACCEPTED);
        }
        assertChecksAndHolds(a, c);
    }

    @Test
    public void blocksOfAnotherSessionImageOrChunkAreRefusedAndChangeNothing() throws Exception {
        Chunk c = chunk(5, CHUNK_SIZE, 4);
        Chunk other = chunk(6, CHUNK_SIZE, 5);
        ChunkAssembler a = slot();
        assertThat(a.offer(block(c, 0))).as("no chunk begun").isEqualTo(Offer.OTHER_CHUNK);
        a.begin(c.entry());
        int blocks = a.missingBlocks();
        assertThat(a.offer(block(c, SESSION + 1, IMAGE, 0))).isEqualTo(Offer.FOREIGN);
        assertThat(a.offer(block(c, SESSION, UUID.randomUUID(), 0))).isEqualTo(Offer.FOREIGN);
        assertThat(a.offer(block(other, 0))).isEqualTo(Offer.OTHER_CHUNK);
        assertThat(a.missingBlocks()).isEqualTo(blocks);
    }

    @Test
    public void blocksThatDisagreeWithTheIndexEntryAreRefused() throws Exception {
        Chunk c = chunk(5, CHUNK_SIZE, 6);
        int stored = c.entry().storedLength();
        ChunkAssembler a = slot();
        a.begin(c.entry());
        int blocks = a.missingBlocks();
        // A stored length the index does not give this chunk: as a stray or forged stream would send.
        Packet.Data longer = new Packet.Data(SESSION, IMAGE, 5, stored + BLOCK, BLOCK, 0,
                c.stored().slice(0, BLOCK));
        assertThat(a.offer(longer)).isEqualTo(Offer.MISMATCH);
        Packet.Data otherBlockSize = new Packet.Data(SESSION, IMAGE, 5, stored, 1024, 0, c.stored().slice(0, 1024));
        assertThat(a.offer(otherBlockSize)).isEqualTo(Offer.MISMATCH);
        assertThat(a.missingBlocks()).isEqualTo(blocks);
    }

    @Test
    public void aDamagedBlockFailsTheCheckAndTheWholeChunkIsAskedForAgain() throws Exception {
        Chunk c = chunk(5, CHUNK_SIZE, 7);
        int blocks = PacketCodec.blockCount(c.entry().storedLength(), BLOCK);
        ChunkAssembler a = slot();
        a.begin(c.entry());
        for (int i = 0; i < blocks; i++) {
            Packet.Data d = block(c, i);
            if (i == 3) {
                ByteBuffer bad = ByteBuffer.allocate(BLOCK).put(d.bytes().duplicate()).flip();
                bad.put(17, (byte) (bad.get(17) ^ 0x40));
                d = new Packet.Data(SESSION, IMAGE, 5, d.storedLength(), BLOCK, 3, bad);
            }
            a.offer(d);
        }
        BadChunk bad = a.check(ByteBuffer.allocateDirect(CHUNK_SIZE));
        assertThat(bad).isNotNull();
        assertThat(bad.describe()).startsWith("chunk 5 (disk 1, disk offset 327680): stored bytes fail their CRC-32C");
        assertThat(a.missingBlocks()).isEqualTo(blocks);
        assertThat(a.requests(1)).hasSize(1).allMatch(Packet.Request::wholeChunk);
        for (int i = 0; i < blocks; i++) {
            a.offer(block(c, i));
        }
        assertChecksAndHolds(a, c);
    }

    @Test
    public void aChunkWhoseBytesDoNotHashToTheIndexEntryIsRefused() throws Exception {
        Chunk c = chunk(5, CHUNK_SIZE, 8);
        byte[] sha = c.entry().sha256();
        sha[0] ^= 1;
        ChunkEntry e = c.entry();
        ChunkAssembler a = slot();
        a.begin(new ChunkEntry(e.number(), e.diskNumber(), e.diskOffset(), e.length(), 0, e.storedLength(),
                e.storedCrc32c(), sha));
        for (int i = 0; i < PacketCodec.blockCount(e.storedLength(), BLOCK); i++) {
            a.offer(block(c, i));
        }
        assertThat(a.check(ByteBuffer.allocateDirect(CHUNK_SIZE)).reason())
                .isEqualTo("uncompressed bytes fail their SHA-256");
    }

    @Test
    public void aChunkOfMoreBlocksThanOneBitmapIsAskedForInSeveralRequests() throws Exception {
        int length = 8 * 1024 * 1024;
        Random r = new Random(9);
        byte[] plain = new byte[length];
        r.nextBytes(plain);
        ByteBuffer src = ByteBuffer.allocateDirect(length).put(plain).clear();
        ByteBuffer dst = ByteBuffer.allocateDirect(Chunks.maxStored(length));
        Chunks.Encoded enc = Chunks.encode(src, length, dst, 1);
        int blockSize = PacketCodec.MIN_BLOCK_SIZE;
        int blocks = PacketCodec.blockCount(enc.storedLength(), blockSize);
        assertThat(blocks).isGreaterThan(PacketCodec.MAX_BITS);
        ChunkAssembler a = new ChunkAssembler(SESSION, IMAGE, blockSize, length);
        a.begin(new ChunkEntry(0, 1, 0, length, 0, enc.storedLength(), enc.crc32c(), enc.sha256()));
        BitSet lost = new BitSet();
        for (int i = 0; i < blocks; i++) {
            if (i % 1000 == 1 || i == blocks - 1) {
                lost.set(i);
                continue;
            }
            a.offer(new Packet.Data(SESSION, IMAGE, 0, enc.storedLength(), blockSize, i,
                    dst.slice(i * blockSize, PacketCodec.blockLength(enc.storedLength(), blockSize, i))));
        }
        List<Packet.Request> requests = a.requests(2);
        assertThat(requests).hasSize(2);
        BitSet asked = new BitSet();
        for (Packet.Request q : requests) {
            assertThat(q.bitCount()).isBetween(1, PacketCodec.MAX_BITS);
            Packet.Request back = (Packet.Request) PacketCodec.decode(ByteBuffer.wrap(PacketCodec.encode(q)));
            back.missing().stream().forEach(k -> asked.set(back.firstBlock() + k));
        }
        assertThat(asked).isEqualTo(lost);
    }

    @Test
    public void holesAndOversizedEntriesHaveNoSlot() {
        ChunkAssembler a = slot();
        assertThatThrownBy(() -> a.begin(new ChunkEntry(2, 1, 0, CHUNK_SIZE, 0, 0, 0, new byte[32])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunk 2 is a hole");
        assertThatThrownBy(() -> a.begin(new ChunkEntry(3, 1, 0, CHUNK_SIZE, 0, Chunks.maxStored(CHUNK_SIZE) + 1,
                0, new byte[32]))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than");
        assertThatThrownBy(() -> a.check(ByteBuffer.allocateDirect(CHUNK_SIZE)))
                .isInstanceOf(IllegalStateException.class);
    }
}
