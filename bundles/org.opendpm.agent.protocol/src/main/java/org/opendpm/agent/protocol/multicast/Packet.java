package org.opendpm.agent.protocol.multicast;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.Objects;
import java.util.UUID;

/**
 * One datagram of a multicast session (docs/multicast.md, "Packets"). Every packet names its session, its image and
 * a chunk, so a receiver can refuse anything not of its own stream before looking further. The constructors enforce
 * the same bounds as {@link PacketCodec#decode}, so nothing out of range can be built or sent.
 */
public sealed interface Packet permits Packet.Data, Packet.Request, Packet.Status {

    /** The session, 1 to 2^63 − 1, random per session. */
    long sessionId();

    UUID image();

    /** The chunk index, 0 to 2^63 − 1. */
    long chunk();

    /**
     * One block of a chunk's stored bytes, sender to group.
     *
     * @param storedLength the chunk's stored length, 1 to {@link PacketCodec#MAX_STORED}
     * @param blockSize {@link PacketCodec#MIN_BLOCK_SIZE} to {@link PacketCodec#MAX_BLOCK_SIZE}
     * @param block the block index, below {@link PacketCodec#blockCount}
     * @param bytes the block's bytes (position to limit), exactly {@link PacketCodec#blockLength} of them; a
     *            decoded packet's is a read-only view of the datagram
     */
    record Data(long sessionId, UUID image, long chunk, int storedLength, int blockSize, int block, ByteBuffer bytes)
            implements
                Packet {
        public Data {
            PacketCodec.require(PacketCodec.headerFault(sessionId, chunk));
            Objects.requireNonNull(image, "image");
            PacketCodec.require(PacketCodec.dataFault(storedLength, blockSize, block));
            int n = PacketCodec.blockLength(storedLength, blockSize, block);
            if (bytes.remaining() != n) {
                throw new IllegalArgumentException(
                        "block " + block + " of a " + storedLength + "-byte chunk holds " + n + " bytes, not "
                                + bytes.remaining());
            }
        }
    }

    /**
     * The blocks a receiver lacks of one chunk, receiver to group.
     *
     * @param member the receiver's number in the session, 1 to 2^32 − 1
     * @param firstBlock the block that bit 0 of {@code missing} stands for (0 for a whole chunk)
     * @param bitCount how many blocks from {@code firstBlock} the bitmap covers, 1 to {@link PacketCodec#MAX_BITS};
     *            0 asks for the whole chunk
     * @param missing bit k set: block {@code firstBlock + k} is missing; at least one bit, none at or past
     *            {@code bitCount}
     */
    record Request(long sessionId, UUID image, long chunk, int storedLength, int blockSize, long member,
            int firstBlock, int bitCount, BitSet missing) implements Packet {
        public Request {
            PacketCodec.require(PacketCodec.headerFault(sessionId, chunk));
            Objects.requireNonNull(image, "image");
            PacketCodec.require(PacketCodec.requestFault(storedLength, blockSize, member, firstBlock, bitCount));
            missing = (BitSet) missing.clone();
            PacketCodec.require(PacketCodec.bitmapFault(missing, bitCount));
        }

        /** Asks for every block of the chunk. */
        public static Request whole(long sessionId, UUID image, long chunk, int storedLength, int blockSize,
                long member) {
            return new Request(sessionId, image, chunk, storedLength, blockSize, member, 0, 0, new BitSet());
        }

        /** Whether the whole chunk is asked for. */
        public boolean wholeChunk() {
            return bitCount == 0;
        }

        @Override
        public BitSet missing() {
            return (BitSet) missing.clone();
        }
    }

    /**
     * The sender's state, sender to group every 250 ms.
     *
     * @param chunk the chunk being sent, or the last one sent; below {@code chunkCount}
     * @param rate bytes of datagrams per second the sender paces at, 0 to 2^63 − 1
     * @param queued chunks waiting in the request queue, 0 to 2^32 − 1
     * @param chunkCount the image's chunks, at least 1
     */
    record Status(long sessionId, UUID image, long chunk, long rate, long queued, long chunkCount) implements Packet {
        public Status {
            PacketCodec.require(PacketCodec.headerFault(sessionId, chunk));
            Objects.requireNonNull(image, "image");
            PacketCodec.require(PacketCodec.statusFault(chunk, rate, queued, chunkCount));
        }
    }
}
