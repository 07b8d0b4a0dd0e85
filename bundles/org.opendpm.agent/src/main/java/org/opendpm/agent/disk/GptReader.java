package org.opendpm.agent.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * The GUID partition table (UEFI 2.x, chapter 5.3). The primary header at LBA 1 is used when its own CRC32, its
 * fields and its entry array's CRC32 are right; otherwise the backup header at the last LBA, checked the same way.
 * Both wrong is an error naming both reasons. Every count and size is bounded before anything is read or allocated.
 * Partitions are numbered by entry index plus 1, unused entries leaving gaps, as Linux numbers them.
 */
final class GptReader {

    /** Entry counts above this are refused; tools write 128, and the kernel reads at most a few hundred. */
    static final int MAX_ENTRIES = 1024;
    static final int MIN_ENTRY_SIZE = 128;
    static final int MAX_ENTRY_SIZE = 4096;

    private static final byte[] SIGNATURE = "EFI PART".getBytes(StandardCharsets.US_ASCII);
    private static final int MIN_HEADER_SIZE = 92;

    private GptReader() {
    }

    static List<PartitionTable.Entry> read(BlockDevice disk) throws IOException, DiskFormatException {
        long lastLba = disk.sectors() - 1;
        if (lastLba < 2) {
            throw new DiskFormatException("the disk is too small for a GPT (" + disk.size() + " bytes)");
        }
        String primaryProblem;
        try {
            return entries(disk, 1);
        } catch (DiskFormatException e) {
            primaryProblem = e.getMessage();
        }
        try {
            return entries(disk, lastLba);
        } catch (DiskFormatException e) {
            throw new DiskFormatException("primary GPT header: " + primaryProblem + "; backup GPT header: "
                    + e.getMessage());
        }
    }

    /** The partitions of the header at {@code lba}, after checking it and its entry array. */
    private static List<PartitionTable.Entry> entries(BlockDevice disk, long lba) throws IOException,
            DiskFormatException {
        int ss = disk.sectorSize();
        ByteBuffer h = disk.read(lba * ss, ss);
        byte[] signature = new byte[8];
        h.get(0, signature);
        if (!java.util.Arrays.equals(signature, SIGNATURE)) {
            throw new DiskFormatException("no 'EFI PART' signature at LBA " + lba);
        }
        long headerSize = Integer.toUnsignedLong(h.getInt(12));
        if (headerSize < MIN_HEADER_SIZE || headerSize > ss) {
            throw new DiskFormatException("header size " + headerSize + " is not between " + MIN_HEADER_SIZE + " and "
                    + ss);
        }
        long storedCrc = Integer.toUnsignedLong(h.getInt(16));
        ByteBuffer copy = disk.read(lba * ss, (int) headerSize);
        copy.putInt(16, 0);
        if (crc(copy.array(), 0, (int) headerSize) != storedCrc) {
            throw new DiskFormatException("header CRC32 is wrong");
        }
        long myLba = h.getLong(24);
        if (myLba != lba) {
            throw new DiskFormatException("header says it is at LBA " + myLba + ", not " + lba);
        }
        long firstUsable = h.getLong(40);
        long lastUsable = h.getLong(48);
        long lastLba = disk.sectors() - 1;
        if (firstUsable < 0 || lastUsable > lastLba || firstUsable > lastUsable + 1) {
            throw new DiskFormatException("usable LBAs " + firstUsable + " to " + lastUsable
                    + " do not fit the disk's " + (lastLba + 1) + " sectors");
        }
        long arrayLba = h.getLong(72);
        long count = Integer.toUnsignedLong(h.getInt(80));
        long entrySize = Integer.toUnsignedLong(h.getInt(84));
        long arrayCrc = Integer.toUnsignedLong(h.getInt(88));
        if (count > MAX_ENTRIES) {
            throw new DiskFormatException("entry count " + count + " is above " + MAX_ENTRIES);
        }
        if (entrySize < MIN_ENTRY_SIZE || entrySize > MAX_ENTRY_SIZE || entrySize % 8 != 0) {
            throw new DiskFormatException("entry size " + entrySize + " is not a multiple of 8 between "
                    + MIN_ENTRY_SIZE + " and " + MAX_ENTRY_SIZE);
        }
        long arrayBytes = count * entrySize; // at most 4 MiB by the bounds above
        if (arrayLba < 2 || arrayLba > lastLba || arrayBytes > (lastLba + 1 - arrayLba) * ss) {
            throw new DiskFormatException("entry array at LBA " + arrayLba + " (" + arrayBytes
                    + " bytes) does not fit the disk");
        }
        ByteBuffer array = disk.read(arrayLba * ss, (int) arrayBytes);
        if (crc(array.array(), 0, (int) arrayBytes) != arrayCrc) {
            throw new DiskFormatException("entry array CRC32 is wrong");
        }
        List<PartitionTable.Entry> result = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = (int) (i * entrySize);
            long typeLow = array.getLong(at);
            long typeHigh = array.getLong(at + 8);
            if (typeLow == 0 && typeHigh == 0) {
                continue;
            }
            long first = array.getLong(at + 32);
            long last = array.getLong(at + 40);
            int number = i + 1;
            if (first < 0 || last < first || last > lastLba) {
                throw new DiskFormatException("partition " + number + " (LBA " + Long.toUnsignedString(first)
                        + " to " + Long.toUnsignedString(last) + ") does not lie on the disk's " + (lastLba + 1)
                        + " sectors");
            }
            long start = first * ss;
            long size = (last - first + 1) * ss;
            PartitionTable.checkOnDisk(disk, number, start, size);
            result.add(new PartitionTable.Entry(number, start, size, guid(array, at), false));
        }
        return result;
    }

    private static long crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }

    /** A GUID in its usual text form: the first three fields are stored little-endian, the rest as bytes. */
    static String guid(ByteBuffer b, int at) {
        StringBuilder sb = new StringBuilder(36);
        sb.append(String.format(Locale.ROOT, "%08x-%04x-%04x-", b.getInt(at), b.getShort(at + 4),
                b.getShort(at + 6)));
        for (int i = 8; i < 16; i++) {
            if (i == 10) {
                sb.append('-');
            }
            sb.append(String.format(Locale.ROOT, "%02x", b.get(at + i)));
        }
        return sb.toString();
    }
}
