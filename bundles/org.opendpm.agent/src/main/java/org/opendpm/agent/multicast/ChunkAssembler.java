package org.opendpm.agent.multicast;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;

import org.opendpm.agent.protocol.multicast.Packet;
import org.opendpm.agent.protocol.multicast.PacketCodec;
import org.opendpm.image.BadChunk;
import org.opendpm.image.ChunkEntry;
import org.opendpm.image.Chunks;

/**
 * One chunk slot of a multicast receiver (docs/multicast.md, "Receiver"): collects the DATA blocks of the chunk it
 * was given into a buffer allocated once, keeps the bitmap of the blocks still missing, and once every block is in
 * hands the stored bytes to {@link Chunks#check} before a byte is written. A block of another session or image, of
 * another chunk, or whose stored length or block size disagrees with the chunk's index entry and the session is
 * refused and changes nothing; a duplicate is ignored. The index entry comes from the authenticated agent link,
 * the blocks from unauthenticated datagrams: this is where the one is held against the other. Not thread-safe: one
 * receiver thread owns a slot.
 */
public final class ChunkAssembler {

    /** What became of a DATA block offered to the slot. */
    public enum Offer {
        /** Taken; blocks are still missing. */
        ACCEPTED,
        /** Taken, and it was the last missing block: {@link #check} next. */
        COMPLETE,
        /** A block the slot already has: ignored. */
        DUPLICATE,
        /** Another session or image: refused. */
        FOREIGN,
        /** Not the chunk this slot holds (or it holds none): refused. */
        OTHER_CHUNK,
        /** The chunk's stored length or the block size disagrees with the index entry or the session: refused. */
        MISMATCH
    }

    private final long sessionId;
    private final UUID image;
    private final int blockSize;
    private final ByteBuffer stored;
    private final BitSet missing = new BitSet();
    private ChunkEntry entry;
    private int blocks;

    /**
     * @param blockSize the session's block size (from the join)
     * @param chunkSize the image's chunk size; the slot's buffer holds the largest stored chunk of that size, direct
     *            (as {@link Chunks#check} wants with a direct destination)
     */
    public ChunkAssembler(long sessionId, UUID image, int blockSize, int chunkSize) {
        this.sessionId = sessionId;
        this.image = image;
        this.blockSize = blockSize;
        this.stored = ByteBuffer.allocateDirect(Chunks.maxStored(chunkSize));
    }

    /** Empties the slot for {@code e}'s blocks: all of them missing. Holes carry no data and have no slot. */
    public void begin(ChunkEntry e) {
        if (e.hole()) {
            throw new IllegalArgumentException("chunk " + e.number() + " is a hole: nothing to assemble");
        }
        if (e.storedLength() > stored.capacity()) {
            throw new IllegalArgumentException("chunk " + e.number() + " stores " + e.storedLength()
                    + " bytes, more than a chunk of this image can (" + stored.capacity() + ")");
        }
        entry = e;
        blocks = PacketCodec.blockCount(e.storedLength(), blockSize);
        missing.clear();
        missing.set(0, blocks);
    }

    /** The chunk the slot holds, or null when it holds none. */
    public ChunkEntry entry() {
        return entry;
    }

    public Offer offer(Packet.Data d) {
        if (d.sessionId() != sessionId || !d.image().equals(image)) {
            return Offer.FOREIGN;
        }
        if (entry == null || d.chunk() != entry.number()) {
            return Offer.OTHER_CHUNK;
        }
        if (d.storedLength() != entry.storedLength() || d.blockSize() != blockSize) {
            return Offer.MISMATCH;
        }
        // The packet's constructor bound the block to the chunk and its bytes to the block's length.
        if (!missing.get(d.block())) {
            return Offer.DUPLICATE;
        }
        stored.put(d.block() * blockSize, d.bytes().duplicate(), 0, d.bytes().remaining());
        missing.clear(d.block());
        return missing.isEmpty() ? Offer.COMPLETE : Offer.ACCEPTED;
    }

    public int missingBlocks() {
        return missing.cardinality();
    }

    /**
     * The REQUESTs for what the slot lacks: the whole chunk when it has no block yet, else the bitmaps of the missing
     * blocks, each from a missing block and covering at most {@link PacketCodec#MAX_BITS} blocks. Empty when the
     * chunk is complete.
     */
    public List<Packet.Request> requests(long member) {
        List<Packet.Request> out = new ArrayList<>();
        if (entry == null || missing.isEmpty()) {
            return out;
        }
        if (missing.cardinality() == blocks) {
            out.add(Packet.Request.whole(sessionId, image, entry.number(), entry.storedLength(), blockSize, member));
            return out;
        }
        for (int first = missing.nextSetBit(0); first >= 0; first = missing.nextSetBit(first + PacketCodec.MAX_BITS)) {
            int end = Math.min(blocks, first + PacketCodec.MAX_BITS);
            BitSet window = missing.get(first, end);
            out.add(new Packet.Request(sessionId, image, entry.number(), entry.storedLength(), blockSize, member,
                    first, window.length(), window));
        }
        return out;
    }

    /**
     * Checks the complete chunk (CRC-32C of the stored bytes, decompression to its length, SHA-256 against the index
     * entry), leaving the uncompressed bytes in {@code dst} (direct, at least the chunk's length): null when all is
     * well, and the slot holds no chunk any more; else what is wrong, and every block is missing again, because a
     * bad block cannot be told from the good ones.
     */
    public BadChunk check(ByteBuffer dst) {
        if (entry == null || !missing.isEmpty()) {
            throw new IllegalStateException("no complete chunk to check");
        }
        BadChunk bad = Chunks.check(entry, stored, dst);
        if (bad == null) {
            entry = null;
        } else {
            missing.set(0, blocks);
        }
        return bad;
    }
}
