package org.opendpm.scheduler.internal.images.transfer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * A whole-disk image of a GPT disk restored onto a larger disk leaves the backup GPT where the smaller disk ended, in
 * the middle of the new one, and the primary header still pointing there: firmware and kernels then report a damaged
 * table. This moves it to the new end, as {@code sgdisk -e} does: the primary header's alternate and last usable LBA
 * follow the new size, the backup header and a copy of the entries go to the last sectors, both headers' CRCs are
 * computed again, and the protective MBR's partition covers the new size. The partitions themselves stay.
 *
 * <p>The input is the disk's head as the image keeps it (protective MBR, primary header, entries); every field read
 * from it is checked against the head's length before use.
 */
final class GptRelocation {

    /** What to write: the first two sectors (protective MBR, primary header) and the tail at {@code tailOffset}. */
    record Areas(byte[] head, long tailOffset, byte[] tail) {
    }

    private static final byte[] SIGNATURE = "EFI PART".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int MIN_HEADER = 92;

    private GptRelocation() {
    }

    /**
     * The areas to write so that a disk of {@code newSize} bytes holding this head has a valid GPT at its end; empty
     * when the head is not a GPT disk's (an MBR disk needs nothing).
     *
     * @throws IllegalArgumentException naming the field when the head is a GPT disk's but not a sound one
     */
    static Optional<Areas> relocate(byte[] head, int sectorSize, long oldSize, long newSize) {
        if (sectorSize < 512 || Integer.bitCount(sectorSize) != 1 || head.length < 2 * sectorSize
                || !Arrays.equals(Arrays.copyOfRange(head, sectorSize, sectorSize + 8), SIGNATURE)) {
            return Optional.empty();
        }
        if (newSize <= oldSize || newSize % sectorSize != 0) {
            throw new IllegalArgumentException("the new disk size " + newSize + " is not a larger multiple of the "
                    + "sector size " + sectorSize + " than " + oldSize);
        }
        ByteBuffer h = ByteBuffer.wrap(Arrays.copyOfRange(head, sectorSize, 2 * sectorSize))
                .order(ByteOrder.LITTLE_ENDIAN);
        int headerSize = h.getInt(12);
        if (headerSize < MIN_HEADER || headerSize > sectorSize) {
            throw new IllegalArgumentException("GPT header size " + headerSize + " is outside " + MIN_HEADER + ".."
                    + sectorSize);
        }
        long entriesLba = h.getLong(72);
        long count = Integer.toUnsignedLong(h.getInt(80));
        long entrySize = Integer.toUnsignedLong(h.getInt(84));
        if (entrySize < 128 || entrySize > 4096 || Long.bitCount(entrySize) != 1 || count < 1 || count > 4096) {
            throw new IllegalArgumentException("GPT entries: " + count + " of " + entrySize + " bytes");
        }
        long entriesBytes = count * entrySize;
        long entrySectors = (entriesBytes + sectorSize - 1) / sectorSize;
        if (entriesLba < 2 || entriesLba * sectorSize + entriesBytes > head.length) {
            throw new IllegalArgumentException("GPT entries at LBA " + entriesLba + " (" + entriesBytes
                    + " bytes) lie outside the " + head.length + " bytes of the disk's head the image keeps");
        }
        byte[] entries = Arrays.copyOfRange(head, (int) (entriesLba * sectorSize),
                (int) (entriesLba * sectorSize + entriesBytes));
        CRC32 crc = new CRC32();
        crc.update(entries);
        if ((int) crc.getValue() != h.getInt(88)) {
            throw new IllegalArgumentException("the GPT entries fail their CRC-32");
        }
        long lastLba = newSize / sectorSize - 1;
        long backupEntriesLba = lastLba - entrySectors;
        long lastUsable = backupEntriesLba - 1;
        if (h.getLong(48) > lastUsable) {
            throw new IllegalArgumentException("GPT last usable LBA " + h.getLong(48) + " is beyond " + lastUsable);
        }

        ByteBuffer primary = h.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        primary.putLong(32, lastLba).putLong(48, lastUsable);
        sealHeader(primary, headerSize);
        ByteBuffer backup = ByteBuffer.wrap(primary.array().clone()).order(ByteOrder.LITTLE_ENDIAN);
        backup.putLong(24, lastLba).putLong(32, 1).putLong(72, backupEntriesLba);
        sealHeader(backup, headerSize);

        byte[] mbrAndPrimary = Arrays.copyOf(head, 2 * sectorSize);
        System.arraycopy(primary.array(), 0, mbrAndPrimary, sectorSize, sectorSize);
        ByteBuffer mbr = ByteBuffer.wrap(mbrAndPrimary).order(ByteOrder.LITTLE_ENDIAN);
        for (int slot = 0; slot < 4; slot++) {
            int at = 446 + 16 * slot;
            if ((mbr.get(at + 4) & 0xff) == 0xee) {
                // The protective partition covers the disk after LBA 0, at most what 32 bits can say.
                mbr.putInt(at + 12, (int) Math.min(lastLba, 0xffffffffL));
            }
        }
        byte[] tail = new byte[(int) ((entrySectors + 1) * sectorSize)];
        System.arraycopy(entries, 0, tail, 0, entries.length);
        System.arraycopy(backup.array(), 0, tail, (int) (entrySectors * sectorSize), sectorSize);
        return Optional.of(new Areas(mbrAndPrimary, backupEntriesLba * sectorSize, tail));
    }

    private static void sealHeader(ByteBuffer header, int headerSize) {
        header.putInt(16, 0);
        CRC32 crc = new CRC32();
        crc.update(header.array(), 0, headerSize);
        header.putInt(16, (int) crc.getValue());
    }
}
