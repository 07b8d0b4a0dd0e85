package org.opendpm.image;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.opendpm.image.internal.Format;
import org.opendpm.image.internal.IndexCodec;

/**
 * One index entry (docs/image-format.md, "Index"): everything needed to check a chunk's stored bytes alone and to
 * put them in place, so chunks can travel and be checked one by one in any order.
 *
 * @param number chunk number, from 0 in source order
 * @param diskNumber the disk the bytes belong to
 * @param diskOffset where the chunk's first byte belongs on that disk
 * @param length uncompressed length (the chunk size, less for the last chunk of an extent)
 * @param fileOffset where the stored bytes start in the image file (0 for a hole and in a manifest)
 * @param storedLength length of the stored (zstd) bytes, 0 for a hole
 * @param storedCrc32c CRC-32C of the stored bytes (0 for a hole)
 * @param sha256 SHA-256 of the uncompressed bytes (32 zero bytes for a hole)
 */
public record ChunkEntry(long number, int diskNumber, long diskOffset, int length, long fileOffset, int storedLength,
        int storedCrc32c, byte[] sha256) {

    /** Bytes of one entry in an index. */
    public static final int SIZE = Format.ENTRY_SIZE;

    public ChunkEntry {
        sha256 = sha256.clone();
    }

    /**
     * Reads one entry from {@code b}'s next {@link #SIZE} bytes (an index that came from elsewhere, such as over the
     * agent link); only the entry's own fields are checked, its place in the image by the caller.
     */
    public static ChunkEntry decode(ByteBuffer b) throws ImageFormatException {
        return IndexCodec.getEntry(b, -1);
    }

    /** An all-zero chunk: no stored bytes. */
    public boolean hole() {
        return storedLength == 0;
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkEntry e && number == e.number && diskNumber == e.diskNumber
                && diskOffset == e.diskOffset && length == e.length && fileOffset == e.fileOffset
                && storedLength == e.storedLength && storedCrc32c == e.storedCrc32c && Arrays.equals(sha256, e.sha256);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(number) * 31 + Arrays.hashCode(sha256);
    }

    @Override
    public String toString() {
        return "ChunkEntry[" + number + ", disk " + diskNumber + " @" + diskOffset + ", " + length + " bytes, "
                + (hole() ? "hole" : storedLength + " stored @" + fileOffset) + "]";
    }
}
