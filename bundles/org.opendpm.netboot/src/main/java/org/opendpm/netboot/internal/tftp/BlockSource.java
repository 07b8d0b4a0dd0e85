package org.opendpm.netboot.internal.tftp;

import java.io.IOException;
import java.nio.channels.FileChannel;

import io.netty.buffer.ByteBuf;

/** The bytes a read transfer sends: a file, a cached copy of one, or generated content. */
interface BlockSource extends AutoCloseable {

    long size();

    /** Appends exactly {@code length} bytes starting at {@code position} to {@code dst}. */
    void read(long position, int length, ByteBuf dst) throws IOException;

    @Override
    void close();

    static BlockSource of(byte[] bytes) {
        return new BlockSource() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public void read(long position, int length, ByteBuf dst) {
                dst.writeBytes(bytes, (int) position, length);
            }

            @Override
            public void close() {
                // nothing held
            }
        };
    }

    /**
     * Positional reads, so one channel needs no shared file pointer and the bytes go straight
     * into the (direct, pooled) packet buffer. The size is fixed when the transfer starts: a file
     * that shrinks underneath fails the transfer instead of sending a short, wrong file.
     */
    static BlockSource of(FileChannel channel, long size) {
        return new BlockSource() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public void read(long position, int length, ByteBuf dst) throws IOException {
                int done = 0;
                while (done < length) {
                    int n = dst.writeBytes(channel, position + done, length - done);
                    if (n < 0) {
                        throw new IOException("file shrank during the transfer");
                    }
                    done += n;
                }
            }

            @Override
            public void close() {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // read-only channel: nothing can be lost on close
                }
            }
        };
    }
}
