package org.opendpm.agent.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Recognises the file system at the start of a partition by its superblock magic, with blkid's names. Reads at most
 * {@link #WINDOW} bytes, less when the partition is smaller.
 */
final class FileSystemProbe {

    /** Enough for the furthest magic looked at: btrfs at 64 KiB + 64, swap at the end of a 64 KiB page. */
    static final int WINDOW = 0x10000 + 0x1000;

    // ext2/3/4 feature flags (linux/fs/ext4/ext4.h).
    private static final int COMPAT_HAS_JOURNAL = 0x4;
    private static final int INCOMPAT_JOURNAL_DEV = 0x8;
    /** What ext3 knows: FILETYPE, RECOVER, META_BG; anything else is an ext4 feature. */
    private static final int INCOMPAT_EXT3 = 0x2 | 0x4 | 0x10;
    /** What ext3 knows: SPARSE_SUPER, LARGE_FILE, BTREE_DIR. */
    private static final int RO_COMPAT_EXT3 = 0x1 | 0x2 | 0x4;

    private FileSystemProbe() {
    }

    static String probe(BlockDevice disk, long start, long size) throws IOException, DiskFormatException {
        ByteBuffer b = disk.readUpTo(start, WINDOW, start + size);
        if (at(b, 0, "LUKS\u00ba\u00be")) {
            return "crypto_LUKS";
        }
        if (at(b, 0, "XFSB")) {
            return "xfs";
        }
        if (at(b, 0x10040, "_BHRfS_M")) {
            return "btrfs";
        }
        String ext = ext(b);
        if (ext != null) {
            return ext;
        }
        for (int sector = 0; sector < 4; sector++) {
            if (at(b, sector * 512, "LABELONE") && at(b, sector * 512 + 24, "LVM2 001")) {
                return "LVM2_member";
            }
        }
        if (at(b, 3, "NTFS    ")) {
            return "ntfs";
        }
        if (at(b, 3, "EXFAT   ")) {
            return "exfat";
        }
        if (fat(b)) {
            return "vfat";
        }
        for (int page : new int[]{ 4096, 8192, 16384, 65536 }) {
            if (at(b, page - 10, "SWAPSPACE2") || at(b, page - 10, "SWAP-SPACE")) {
                return "swap";
            }
        }
        return "";
    }

    /** ext2, ext3 or ext4 told apart by features as blkid does: a journal makes ext3, newer features ext4. */
    private static String ext(ByteBuffer b) {
        int sb = 1024;
        if (b.limit() < sb + 0x68 || (b.getShort(sb + 0x38) & 0xffff) != 0xef53) {
            return null;
        }
        int compat = b.getInt(sb + 0x5c);
        int incompat = b.getInt(sb + 0x60);
        int roCompat = b.getInt(sb + 0x64);
        if ((incompat & INCOMPAT_JOURNAL_DEV) != 0) {
            return "jbd";
        }
        if ((incompat & ~INCOMPAT_EXT3) != 0 || (roCompat & ~RO_COMPAT_EXT3) != 0) {
            return "ext4";
        }
        return (compat & COMPAT_HAS_JOURNAL) != 0 ? "ext3" : "ext2";
    }

    /** A FAT12/16/32 boot sector: the 55aa signature, a sane BIOS parameter block and the FAT type string. */
    private static boolean fat(ByteBuffer b) {
        if (b.limit() < 512 || (b.get(510) & 0xff) != 0x55 || (b.get(511) & 0xff) != 0xaa) {
            return false;
        }
        int jump = b.get(0) & 0xff;
        int bytesPerSector = b.getShort(11) & 0xffff;
        int sectorsPerCluster = b.get(13) & 0xff;
        int reserved = b.getShort(14) & 0xffff;
        int fats = b.get(16) & 0xff;
        boolean sane = (jump == 0xeb || jump == 0xe9) && bytesPerSector >= 512 && bytesPerSector <= 4096
                && Integer.bitCount(bytesPerSector) == 1 && sectorsPerCluster > 0
                && Integer.bitCount(sectorsPerCluster) == 1 && reserved > 0 && fats >= 1 && fats <= 2;
        return sane && (at(b, 0x36, "FAT1") || at(b, 0x52, "FAT32"));
    }

    private static boolean at(ByteBuffer b, int offset, String magic) {
        byte[] m = magic.getBytes(StandardCharsets.ISO_8859_1);
        if (offset + m.length > b.limit()) {
            return false;
        }
        for (int i = 0; i < m.length; i++) {
            if (b.get(offset + i) != m[i]) {
                return false;
            }
        }
        return true;
    }
}
