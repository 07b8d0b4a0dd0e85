package org.opendpm.image.internal;

import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.zip.CRC32C;

import org.opendpm.image.ChunkEntry;

/** The index as chunks are written, with its CRC-32C; both writers build it here. */
public final class IndexBuilder {

    private final CRC32C crc = new CRC32C();
    private ByteBuffer index = ByteBuffer.allocate(Format.ENTRY_SIZE * 1024);
    private long count;

    public void add(ChunkEntry entry) {
        if (index.remaining() < Format.ENTRY_SIZE) {
            index = ByteBuffer.allocate(index.capacity() * 2).put(index.flip());
        }
        int at = index.position();
        IndexCodec.putEntry(index, entry);
        crc.update(index.array(), at, Format.ENTRY_SIZE);
        count++;
    }

    public long count() {
        return count;
    }

    /** The index bytes, to be written at {@code indexOffset}. */
    public ByteBuffer index() {
        return index.duplicate().flip();
    }

    /** The trailer of an image whose index starts at {@code indexOffset}. */
    public ByteBuffer trailer(long indexOffset, UUID imageId) {
        return IndexCodec.trailer(indexOffset, count, imageId, (int) crc.getValue());
    }
}
