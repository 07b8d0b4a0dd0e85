package org.opendpm.scheduler.internal.images.transfer;

import java.util.Arrays;
import java.util.List;

import org.opendpm.image.ImageHeader;

/**
 * Where the partition-table bytes an image keeps in its header come from, and go back to: the head of the disk up to
 * its first partition (at most 512 KiB: MBR, GPT header and entries, boot loader gap), then for GPT the disk's last 33
 * sectors (the backup GPT). The header keeps them as one run, head first; the head's length follows from the disk's
 * partitions, so the rest is the tail.
 */
final class PartitionTableArea {

    /** The most one disk-area request carries. */
    static final int MAX_AREA = 512 * 1024;
    /** The backup GPT's sectors. */
    static final int GPT_TAIL_SECTORS = 33;
    /** A tail read before the sector size is known: 33 sectors of the largest common size (4 KiB). */
    static final int TAIL_READ = GPT_TAIL_SECTORS * 4096;

    private PartitionTableArea() {
    }

    /** The head's length: up to the first partition, at most 512 KiB and the disk's size. */
    static int headLength(long diskSize, List<Long> partitionStarts) {
        long head = Math.min(MAX_AREA, diskSize);
        for (long start : partitionStarts) {
            head = Math.min(head, start);
        }
        return (int) head;
    }

    static int headLength(ImageHeader.Disk disk) {
        return headLength(disk.size(), disk.partitions().stream().map(ImageHeader.Partition::offset).toList());
    }

    /** The head of the disk as the image keeps it. */
    static byte[] head(ImageHeader.Disk disk) {
        byte[] table = disk.partitionTable();
        return Arrays.copyOf(table, Math.min(headLength(disk), table.length));
    }

    /** The tail the image keeps after the head: the backup GPT, or nothing. */
    static byte[] tail(ImageHeader.Disk disk) {
        byte[] table = disk.partitionTable();
        return Arrays.copyOfRange(table, Math.min(headLength(disk), table.length), table.length);
    }
}
