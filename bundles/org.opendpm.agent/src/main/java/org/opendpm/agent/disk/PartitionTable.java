package org.opendpm.agent.disk;

import java.io.IOException;
import java.util.List;

/** A disk's partition table as read from the device: its kind and its entries, ordered by number. */
record PartitionTable(String kind, List<Entry> entries) {

    /**
     * One partition. {@code container} marks an MBR extended partition, which holds the logical ones and no file
     * system of its own.
     */
    record Entry(int number, long startBytes, long sizeBytes, String type, boolean container) {
    }

    PartitionTable {
        entries = List.copyOf(entries);
    }

    /**
     * Reads the table of a disk: GPT when the MBR is protective (a type {@code ee} entry), MBR when sector 0 carries
     * a valid MBR, {@code none} otherwise.
     */
    static PartitionTable read(BlockDevice disk) throws IOException, DiskFormatException {
        MbrReader.Sector0 sector0 = MbrReader.sector0(disk);
        if (!sector0.isMbr()) {
            return new PartitionTable(ScannedDisk.NONE, List.of());
        }
        if (sector0.isProtective()) {
            return new PartitionTable(ScannedDisk.GPT, GptReader.read(disk));
        }
        return new PartitionTable(ScannedDisk.MBR, MbrReader.read(disk, sector0));
    }

    /** Refuses an entry that does not lie on the disk. */
    static void checkOnDisk(BlockDevice disk, int number, long start, long size) throws DiskFormatException {
        if (start < 0 || size < 0 || start > disk.size() || size > disk.size() - start) {
            throw new DiskFormatException("partition " + number + " (bytes " + start + " to "
                    + (size < 0 || start < 0 ? "?" : String.valueOf(start + size)) + ") ends past the disk end ("
                    + disk.size() + " bytes)");
        }
    }
}
