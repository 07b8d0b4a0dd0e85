package org.opendpm.agent;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.logging.Logger;

import com.sun.nio.file.ExtendedOpenOption;

import org.opendpm.image.Chunks;
import org.opendpm.image.Io;
import org.opendpm.image.WriteBehind;

/**
 * A disk opened for a restore. Writes and reads go with O_DIRECT where the disk (or the file system of a test disk)
 * accepts it and the piece is aligned: the bytes move between the chunk's buffer and the device without a copy
 * through the page cache. Measured on ext4 for 1.5 GiB in 4 MiB pieces: 0.06 CPU-s against 0.3 in 128 KiB buffered
 * writes and 0.7–3.9 in 4 MiB buffered writes, and no slower on the wall clock once the buffered writes are flushed.
 * A Deploy-OS lives in RAM and so does not fill its memory with a disk's worth of dirty pages either, and the compare
 * pass reads what the device holds, not what the page cache remembers.
 *
 * <p>A piece that is not aligned to the block size (an extent's odd end, a partition starting at sector 63) goes
 * through the page cache in 128 KiB slices, flushed behind the writer; so does everything on a file system that
 * refuses O_DIRECT (tmpfs before Linux 6.6).
 */
final class RestoreDisk implements Closeable {

    private static final Logger LOG = Logger.getLogger(RestoreDisk.class.getName());
    /** Alignment of the buffers this class hands out: the largest block size O_DIRECT asks for here. */
    static final int ALIGNMENT = 4096;
    /** Buffered bytes after which the disk is flushed behind the writer. */
    private static final long FLUSH_EVERY = 64L << 20;

    private final ImageDisks.Disk disk;
    private final FileChannel buffered;
    private final FileChannel direct;
    private final int blockSize;
    private final WriteBehind flushing;

    private RestoreDisk(ImageDisks.Disk disk, FileChannel buffered, FileChannel direct, int blockSize) {
        this.disk = disk;
        this.buffered = buffered;
        this.direct = direct;
        this.blockSize = blockSize;
        this.flushing = new WriteBehind(buffered, FLUSH_EVERY, "opendpm-image-flush-" + disk.number());
    }

    static RestoreDisk open(ImageDisks.Disk disk) throws IOException {
        FileChannel buffered = FileChannel.open(disk.path(), StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel direct = null;
        int blockSize = 0;
        try {
            long size = Files.getFileStore(disk.path()).getBlockSize();
            if (size > 0 && size <= ALIGNMENT && ALIGNMENT % size == 0) {
                direct = FileChannel.open(disk.path(), StandardOpenOption.READ, StandardOpenOption.WRITE,
                        ExtendedOpenOption.DIRECT);
                blockSize = (int) size;
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.info("Disk " + disk.number() + " (" + disk.path() + ") is written through the page cache: "
                    + "O_DIRECT was refused (" + e.getMessage() + ")");
        }
        return new RestoreDisk(disk, buffered, direct, blockSize);
    }

    /** A direct buffer aligned for O_DIRECT. */
    static ByteBuffer buffer(int capacity) {
        int whole = (capacity + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        return ByteBuffer.allocateDirect(whole + ALIGNMENT).alignedSlice(ALIGNMENT).slice(0, capacity);
    }

    ImageDisks.Disk disk() {
        return disk;
    }

    boolean direct() {
        return direct != null;
    }

    private boolean aligned(ByteBuffer b, long offset) {
        return direct != null && offset % blockSize == 0 && b.remaining() % blockSize == 0
                && b.position() % blockSize == 0 && b.isDirect();
    }

    /** Writes {@code src}'s remaining bytes at {@code offset}. */
    void write(ByteBuffer src, long offset) throws IOException {
        ByteBuffer b = src.duplicate();
        if (aligned(b, offset)) {
            ImageDisks.writeFully(direct, b, offset);
            return;
        }
        int length = b.remaining();
        Io.writeFully(buffered, b, offset);
        flushing.written(length);
    }

    /**
     * Makes {@code length} bytes at {@code offset} read as zeros, using {@code scratch} (from {@link #buffer}, at
     * least {@code length} bytes): a range already reading as zeros (a new or discarded disk) is not written, because
     * reading is cheaper than writing and flushing the zeros. Returns whether it wrote.
     */
    boolean zero(ByteBuffer scratch, long offset, int length) throws IOException {
        read(scratch.clear().limit(length), offset);
        if (Chunks.isZero(scratch, length)) {
            return false;
        }
        scratch.clear();
        while (scratch.hasRemaining()) {
            scratch.putLong(0);
        }
        write(scratch.duplicate().clear().limit(length), offset);
        return true;
    }

    /** Reads {@code dst}'s remaining bytes from {@code offset}; a disk that ends early is an error. */
    void read(ByteBuffer dst, long offset) throws IOException {
        ImageDisks.readFully(aligned(dst, offset) ? direct : buffered, dst, offset, disk);
    }

    /**
     * Whether the {@code length} bytes at {@code offset} read back as a chunk whose SHA-256 is {@code sha256}, or as
     * zeros when {@code sha256} is null (a hole): the compare pass of a restore. {@code buffer} is from
     * {@link #buffer}, at least {@code length} bytes.
     */
    boolean holds(ByteBuffer buffer, MessageDigest sha, long offset, int length, byte[] sha256) throws IOException {
        ByteBuffer b = buffer.clear().limit(length);
        read(b, offset);
        if (sha256 == null) {
            return Chunks.isZero(buffer, length);
        }
        sha.update(buffer.flip());
        return Arrays.equals(sha.digest(), sha256);
    }

    /** Flushes what went through the page cache, then the device's own cache, with the file's metadata. */
    void finish() throws IOException {
        flushing.finish();
        if (direct != null) {
            direct.force(true);
        }
    }

    @Override
    public void close() {
        flushing.close();
        for (FileChannel ch : new FileChannel[]{ buffered, direct }) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException e) {
                    LOG.fine("Closing " + disk.path() + ": " + e);
                }
            }
        }
    }
}
