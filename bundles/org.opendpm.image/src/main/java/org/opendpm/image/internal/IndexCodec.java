package org.opendpm.image.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.UUID;
import java.util.zip.CRC32C;

import org.opendpm.image.ChunkEntry;
import org.opendpm.image.ImageFormatException;

/** Index entries and the trailer (docs/image-format.md, "Index" and "Trailer"), both ways. */
public final class IndexCodec {

    /** What the trailer says. */
    public record Trailer(long indexOffset, long chunkCount, UUID imageId, int indexCrc32c) {
    }

    private IndexCodec() {
    }

    public static void putEntry(ByteBuffer b, ChunkEntry e) {
        b.putLong(e.number()).putShort((short) e.diskNumber()).putShort((short) (e.hole() ? Format.FLAG_HOLE : 0))
                .putInt(e.length()).putLong(e.diskOffset()).putLong(e.fileOffset()).putInt(e.storedLength())
                .putInt(e.storedCrc32c()).put(e.sha256());
    }

    /** Reads one entry; only its own fields are checked here, its place in the image by the reader. */
    public static ChunkEntry getEntry(ByteBuffer b, long fileOffset) throws ImageFormatException {
        Cursor c = new Cursor(b, fileOffset);
        long number = c.u63("chunk number");
        int disk = c.u16("disk number");
        long at = c.offset();
        int flags = c.u16("chunk flags");
        if ((flags & ~Format.FLAG_HOLE) != 0) {
            throw new ImageFormatException("chunk " + number + " has unknown flags " + Integer.toHexString(flags), at);
        }
        long length = c.u32("chunk length");
        long diskOffset = c.u63("chunk disk offset");
        long storedAt = c.u63("chunk file offset");
        at = c.offset();
        long stored = c.u32("chunk stored length");
        int crc = c.i32("chunk CRC-32C");
        byte[] sha = c.fixed(32, "chunk SHA-256");
        boolean hole = (flags & Format.FLAG_HOLE) != 0;
        if (hole != (stored == 0) || stored > Integer.MAX_VALUE || length > Integer.MAX_VALUE) {
            throw new ImageFormatException("chunk " + number + ": stored length " + stored
                    + (hole ? " for a hole" : " for a chunk that is not a hole"), at);
        }
        return new ChunkEntry(number, disk, diskOffset, (int) length, storedAt, (int) stored, crc, sha);
    }

    public static ByteBuffer trailer(long indexOffset, long chunkCount, UUID imageId, int indexCrc) {
        ByteBuffer b = ByteBuffer.allocate(Format.TRAILER_SIZE);
        b.putLong(indexOffset).putLong(chunkCount).putLong(imageId.getMostSignificantBits())
                .putLong(imageId.getLeastSignificantBits()).putInt(indexCrc);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue()).put(Format.END_MAGIC);
        return b.flip();
    }

    /** Parses the trailer read from the last {@link Format#TRAILER_SIZE} bytes at {@code fileOffset}. */
    public static Trailer getTrailer(ByteBuffer b, long fileOffset) throws ImageFormatException {
        byte[] magic = new byte[8];
        b.get(40, magic);
        if (!Arrays.equals(magic, Format.END_MAGIC)) {
            throw new ImageFormatException("no trailer: the image is truncated or incomplete (end magic "
                    + HeaderCodec.hex(magic) + ")", fileOffset + 40);
        }
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(0).limit(36));
        if ((int) crc.getValue() != b.getInt(36)) {
            throw new ImageFormatException("trailer CRC-32C mismatch", fileOffset + 36);
        }
        Cursor c = new Cursor(b.duplicate().position(0).limit(36), fileOffset);
        return new Trailer(c.u63("index offset"), c.u63("chunk count"),
                new UUID(c.i64("image UUID"), c.i64("image UUID")), c.i32("index CRC-32C"));
    }
}
