package org.opendpm.agent.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Positional reads of a disk of known size. Every read is checked against the size before anything is allocated,
 * and a device that ends early (a truncated image, a failing disk) is an error, never a short buffer.
 */
final class BlockDevice {

    /** The most one read may ask for: the largest GPT entry array the reader accepts. */
    static final int MAX_READ = 4 * 1024 * 1024;

    private final FileChannel channel;
    private final long size;
    private final int sectorSize;

    BlockDevice(FileChannel channel, long size, int sectorSize) {
        this.channel = channel;
        this.size = size;
        this.sectorSize = sectorSize;
    }

    long size() {
        return size;
    }

    int sectorSize() {
        return sectorSize;
    }

    long sectors() {
        return size / sectorSize;
    }

    /** {@code length} bytes from {@code offset}, little-endian; past the disk end or a short device is an error. */
    ByteBuffer read(long offset, int length) throws IOException, DiskFormatException {
        if (offset < 0 || length < 0 || length > MAX_READ || offset > size - length) {
            throw new DiskFormatException("read of " + length + " bytes at byte " + offset + " is outside the disk ("
                    + size + " bytes)");
        }
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, offset + buffer.position());
            if (n < 0) {
                throw new DiskFormatException("the device ends at byte " + (offset + buffer.position())
                        + " although its size is " + size + " bytes");
            }
        }
        return buffer.flip();
    }

    /** Like {@link #read} but cut at {@code limit} (the end of a partition) and at the disk end. */
    ByteBuffer readUpTo(long offset, int length, long limit) throws IOException, DiskFormatException {
        long end = Math.min(Math.min(limit, size), offset + length);
        return read(offset, (int) Math.max(0, end - offset));
    }
}
