package org.opendpm.image;

import java.nio.ByteBuffer;

import org.opendpm.image.internal.ChunkCodec;

/**
 * One chunk at a time, for code that moves chunks itself rather than whole images: the agent compresses chunks on
 * the machine and checks them before writing a restore, the server writes chunks it receives. No I/O; safe from any
 * thread.
 */
public final class Chunks {

    private static final byte[] NO_SHA = new byte[32];

    private Chunks() {
    }

    /** The largest stored length a chunk of {@code chunkSize} bytes may have: zstd's worst case. */
    public static int maxStored(int chunkSize) {
        return (int) ChunkCodec.maxStored(chunkSize);
    }

    /**
     * What encoding a chunk gave.
     *
     * @param hole all zeros: nothing stored, CRC 0, SHA-256 all zeros (as the index has it)
     */
    public record Encoded(boolean hole, int storedLength, int crc32c, byte[] sha256) {
    }

    /**
     * Checks {@code src[0, length)} for a hole and otherwise compresses it into {@code dst} (direct, of at least
     * {@link #maxStored} bytes) with zstd at {@code level}; {@code src} direct too. Positions and limits are not used.
     */
    public static Encoded encode(ByteBuffer src, int length, ByteBuffer dst, int level) {
        if (isZero(src, length)) {
            return new Encoded(true, 0, 0, NO_SHA.clone());
        }
        ChunkCodec.Compressed c = ChunkCodec.compress(src, length, dst, level);
        return new Encoded(false, c.storedLength(), c.crc32c(), c.sha256());
    }

    /**
     * Checks a chunk's stored bytes against its entry (CRC-32C, decompression to its length, SHA-256) and leaves the
     * uncompressed bytes in {@code dst[0, length)}: null when all is well, else what is wrong. Both buffers direct or
     * both on the heap. Not for holes.
     */
    public static BadChunk check(ChunkEntry entry, ByteBuffer stored, ByteBuffer dst) {
        return ChunkCodec.check(entry, stored, dst);
    }

    /** Whether {@code src[0, length)} is all zeros. */
    public static boolean isZero(ByteBuffer src, int length) {
        ByteBuffer b = src.duplicate().clear().limit(length);
        while (b.remaining() >= Long.BYTES) {
            if (b.getLong() != 0) {
                return false;
            }
        }
        while (b.hasRemaining()) {
            if (b.get() != 0) {
                return false;
            }
        }
        return true;
    }
}
