package org.opendpm.image;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Reads and writes of whole chunks in slices of {@link #SLICE} bytes. One 4 MiB system call costs the kernel about
 * three times the time of the same bytes in 128 KiB calls (measured on ext4: 0.65 against 0.25 s of system time per
 * GiB), because the copy between the caller's buffer and the page cache no longer fits in the CPU cache; the JDK's
 * copy of a heap buffer into its temporary direct buffer has the same size as the call. Public for the agent's
 * restore, which writes disks the same way.
 */
public final class Io {
    public static final int SLICE = 128 * 1024;

    private Io() {
    }

    public static void writeFully(WritableByteChannel out, ByteBuffer b) throws IOException {
        int end = b.limit();
        while (b.position() < end) {
            b.limit(Math.min(end, b.position() + SLICE));
            while (b.hasRemaining()) {
                out.write(b);
            }
        }
    }

    public static void writeFully(FileChannel out, ByteBuffer b, long position) throws IOException {
        int end = b.limit();
        long at = position - b.position();
        while (b.position() < end) {
            b.limit(Math.min(end, b.position() + SLICE));
            while (b.hasRemaining()) {
                out.write(b, at + b.position());
            }
        }
    }

    public static void readFully(FileChannel in, ByteBuffer b, long position, long size) throws IOException {
        int end = b.limit();
        long at = position - b.position();
        while (b.position() < end) {
            b.limit(Math.min(end, b.position() + SLICE));
            while (b.hasRemaining()) {
                if (in.read(b, at + b.position()) < 0) {
                    throw new EOFException("the image ended at " + (at + b.position()) + " (it was " + size
                            + " bytes when opened)");
                }
            }
        }
    }

    /** Reads into {@code b} up to its limit or the end of {@code in}; returns the bytes read, -1 at the end. */
    public static int read(ReadableByteChannel in, ByteBuffer b) throws IOException {
        int end = b.limit();
        int start = b.position();
        while (b.position() < end) {
            b.limit(Math.min(end, b.position() + SLICE));
            if (in.read(b) < 0) {
                b.limit(end);
                return b.position() == start ? -1 : b.position() - start;
            }
        }
        return b.position() - start;
    }
}
