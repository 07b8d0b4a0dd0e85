package org.opendpm.agent.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The MBR (DOS) partition table: four primary slots in sector 0, numbered 1 to 4 whether used or not; logical
 * partitions in the chain of extended boot records inside the extended partition, numbered from 5 in chain order,
 * skipping empty links, as Linux numbers them. The extended partition itself is listed (as {@code sfdisk} does),
 * marked as a container.
 */
final class MbrReader {

    /** More logical partitions than this is taken for a corrupt chain rather than read on. */
    static final int MAX_LOGICAL = 128;

    private static final int TABLE = 446;
    private static final int ENTRY = 16;

    private MbrReader() {
    }

    /** The four primary entries of sector 0 as found, before any check beyond the signature. */
    record Sector0(boolean isMbr, boolean isProtective, ByteBuffer bytes) {
    }

    static Sector0 sector0(BlockDevice disk) throws IOException, DiskFormatException {
        if (disk.size() < 512) {
            return new Sector0(false, false, null);
        }
        ByteBuffer s = disk.read(0, 512);
        boolean signature = (s.get(510) & 0xff) == 0x55 && (s.get(511) & 0xff) == 0xaa;
        boolean protective = false;
        for (int i = 0; i < 4 && signature; i++) {
            int boot = s.get(TABLE + i * ENTRY) & 0xff;
            // A boot indicator other than 00/80 means these bytes are boot code (a FAT boot sector, a boot loader
            // on a disk without a table), not a partition table: the kernel's test.
            if (boot != 0 && boot != 0x80) {
                return new Sector0(false, false, s);
            }
            protective |= type(s, i) == 0xee;
        }
        return new Sector0(signature, protective, s);
    }

    static List<PartitionTable.Entry> read(BlockDevice disk, Sector0 sector0) throws IOException,
            DiskFormatException {
        long sector = disk.sectorSize();
        List<PartitionTable.Entry> result = new ArrayList<>();
        PartitionTable.Entry extended = null;
        for (int i = 0; i < 4; i++) {
            ByteBuffer s = sector0.bytes();
            int type = type(s, i);
            long first = start(s, i);
            long count = count(s, i);
            if (type == 0 || count == 0) {
                continue;
            }
            long start = first * sector;
            long size = count * sector;
            PartitionTable.checkOnDisk(disk, i + 1, start, size);
            boolean isExtended = isExtended(type);
            PartitionTable.Entry e = new PartitionTable.Entry(i + 1, start, size, hex(type), isExtended);
            if (isExtended) {
                if (extended != null) {
                    throw new DiskFormatException("partitions " + extended.number() + " and " + (i + 1)
                            + " are both extended partitions");
                }
                extended = e;
            }
            result.add(e);
        }
        if (extended != null) {
            result.addAll(logical(disk, extended));
        }
        return result;
    }

    /** Follows the EBR chain: a loop, a link outside the extended partition or too many links is an error. */
    private static List<PartitionTable.Entry> logical(BlockDevice disk, PartitionTable.Entry extended)
            throws IOException, DiskFormatException {
        long sector = disk.sectorSize();
        long extStart = extended.startBytes();
        long extEnd = extStart + extended.sizeBytes();
        List<PartitionTable.Entry> result = new ArrayList<>();
        Set<Long> visited = new HashSet<>();
        long ebr = extStart;
        int number = 5;
        for (int links = 0;; links++) {
            if (links >= MAX_LOGICAL) {
                throw new DiskFormatException("the extended partition chains more than " + MAX_LOGICAL
                        + " logical partitions");
            }
            if (!visited.add(ebr)) {
                throw new DiskFormatException("the extended partition's chain loops back to byte " + ebr);
            }
            ByteBuffer s = disk.read(ebr, 512);
            if ((s.get(510) & 0xff) != 0x55 || (s.get(511) & 0xff) != 0xaa) {
                throw new DiskFormatException("the extended boot record at byte " + ebr + " has no 55aa signature");
            }
            int type = type(s, 0);
            long count = count(s, 0);
            if (type != 0 && count != 0 && !isExtended(type)) {
                long start = ebr + start(s, 0) * sector;
                long size = count * sector;
                PartitionTable.checkOnDisk(disk, number, start, size);
                if (start + size > extEnd) {
                    throw new DiskFormatException("logical partition " + number + " ends at byte " + (start + size)
                            + ", past its extended partition's end at byte " + extEnd);
                }
                result.add(new PartitionTable.Entry(number++, start, size, hex(type), false));
            }
            if (!isExtended(type(s, 1)) || count(s, 1) == 0) {
                return result;
            }
            long next = extStart + start(s, 1) * sector;
            if (next < extStart || next + 512 > extEnd) {
                throw new DiskFormatException("the extended boot record at byte " + ebr + " links to byte " + next
                        + ", outside its extended partition (bytes " + extStart + " to " + extEnd + ")");
            }
            ebr = next;
        }
    }

    private static boolean isExtended(int type) {
        return type == 0x05 || type == 0x0f || type == 0x85;
    }

    private static int type(ByteBuffer s, int i) {
        return s.get(TABLE + i * ENTRY + 4) & 0xff;
    }

    private static long start(ByteBuffer s, int i) {
        return Integer.toUnsignedLong(s.getInt(TABLE + i * ENTRY + 8));
    }

    private static long count(ByteBuffer s, int i) {
        return Integer.toUnsignedLong(s.getInt(TABLE + i * ENTRY + 12));
    }

    private static String hex(int type) {
        return String.format(Locale.ROOT, "%02x", type);
    }
}
