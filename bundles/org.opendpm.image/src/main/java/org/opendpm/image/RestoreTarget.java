package org.opendpm.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Map;

/** Where a restore writes: the image's chunks arrive in order, each with its disk and disk offset. */
@FunctionalInterface
public interface RestoreTarget {

    void write(int diskNumber, long diskOffset, ByteBuffer data) throws IOException;

    /**
     * Whether {@link #write} honours offsets. A positional target may skip holes when it is known to read as zeros;
     * a stream target gets every byte, holes as zeros.
     */
    default boolean positional() {
        return true;
    }

    /** One disk (a block device or a disk file), written at the image's disk offsets; other disks are refused. */
    static RestoreTarget of(FileChannel disk) {
        return disks(Map.of(1, disk));
    }

    /** Several disks by number. */
    static RestoreTarget disks(Map<Integer, FileChannel> disks) {
        Map<Integer, FileChannel> copy = Map.copyOf(disks);
        return (diskNumber, diskOffset, data) -> {
            FileChannel ch = copy.get(diskNumber);
            if (ch == null) {
                throw new IOException("the image holds disk " + diskNumber + ", which has no restore target");
            }
            Io.writeFully(ch, data, diskOffset);
        };
    }

    /**
     * The imaged bytes one after another, offsets ignored: a partition image becomes the partition's contents, a
     * whole-disk image the disk's.
     */
    static RestoreTarget stream(WritableByteChannel out) {
        return new RestoreTarget() {
            @Override
            public void write(int diskNumber, long diskOffset, ByteBuffer data) throws IOException {
                Io.writeFully(out, data);
            }

            @Override
            public boolean positional() {
                return false;
            }
        };
    }
}
