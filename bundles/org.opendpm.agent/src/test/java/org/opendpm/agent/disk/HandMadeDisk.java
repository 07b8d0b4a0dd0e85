package org.opendpm.agent.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

/**
 * Writes partition tables byte by byte into an image file, so tests can make the broken ones no tool writes. Sizes
 * in 512-byte sectors.
 */
final class HandMadeDisk implements AutoCloseable {

    static final int SECTOR = 512;

    final Path file;
    final long sectors;
    private final FileChannel channel;

    HandMadeDisk(Path file, long sectors) throws IOException {
        this.file = file;
        this.sectors = sectors;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        channel.truncate(0);
        write(sectors * SECTOR - 1, new byte[1]);
    }

    void write(long offset, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            channel.write(b, offset + b.position());
        }
    }

    /** An MBR or EBR sector at {@code lba} with up to four entries {type, startLba, countLba}. */
    void mbr(long lba, long[]... entries) throws IOException {
        ByteBuffer s = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < entries.length; i++) {
            int at = 446 + i * 16;
            s.put(at + 4, (byte) entries[i][0]);
            s.putInt(at + 8, (int) entries[i][1]);
            s.putInt(at + 12, (int) entries[i][2]);
        }
        s.put(510, (byte) 0x55).put(511, (byte) 0xaa);
        write(lba * SECTOR, s.array());
    }

    /** What a GPT header says; tests change fields to make bad ones. */
    static final class Gpt {
        /** Where the header is written; {@code myLba} is what it claims. */
        long at;
        long myLba;
        long alternateLba;
        long firstUsable = 34;
        long lastUsable;
        long entriesLba;
        long count = 128;
        long entrySize = 128;
        int headerSize = 92;
        /** Entries as {firstLba, lastLba}; all of the Linux filesystem type. */
        long[][] partitions = {};
        boolean breakHeaderCrc;
        boolean breakArrayCrc;
    }

    /** The primary header as tools write it for this disk. */
    Gpt primary(long[]... partitions) {
        Gpt g = new Gpt();
        g.at = 1;
        g.myLba = 1;
        g.alternateLba = sectors - 1;
        g.lastUsable = sectors - 34;
        g.entriesLba = 2;
        g.partitions = partitions;
        return g;
    }

    /** The backup header as tools write it: last LBA, its entries just before. */
    Gpt backup(long[]... partitions) {
        Gpt g = primary(partitions);
        g.at = sectors - 1;
        g.myLba = sectors - 1;
        g.alternateLba = 1;
        g.entriesLba = sectors - 33;
        return g;
    }

    static final byte[] LINUX_FS = { (byte) 0xaf, 0x3d, (byte) 0xc6, 0x0f, (byte) 0x83, (byte) 0x84, 0x72, 0x47,
            (byte) 0x8e, 0x79, 0x3d, 0x69, (byte) 0xd8, 0x47, 0x7d, (byte) 0xe4 };

    /** Writes the header and (when its size is sane enough to write) its entry array. */
    void gpt(Gpt g) throws IOException {
        int arrayBytes = (int) Math.min(g.count * g.entrySize, 128 * 128);
        ByteBuffer array = ByteBuffer.allocate(Math.max(arrayBytes, 0)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < g.partitions.length && g.entrySize >= 128 && (i + 1) * g.entrySize <= arrayBytes; i++) {
            int at = (int) (i * g.entrySize);
            array.put(at, LINUX_FS);
            array.putLong(at + 16, i + 1).putLong(at + 24, 0x1234);
            array.putLong(at + 32, g.partitions[i][0]).putLong(at + 40, g.partitions[i][1]);
        }
        CRC32 crc = new CRC32();
        crc.update(array.array(), 0, arrayBytes);
        write(g.entriesLba * SECTOR, array.array());
        ByteBuffer h = ByteBuffer.allocate(SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        h.put(0, "EFI PART".getBytes(StandardCharsets.US_ASCII));
        h.putInt(8, 0x00010000).putInt(12, g.headerSize);
        h.putLong(24, g.myLba).putLong(32, g.alternateLba).putLong(40, g.firstUsable).putLong(48, g.lastUsable);
        h.putLong(56, 0x1111).putLong(64, 0x2222);
        h.putLong(72, g.entriesLba).putInt(80, (int) g.count).putInt(84, (int) g.entrySize);
        h.putInt(88, (int) crc.getValue() ^ (g.breakArrayCrc ? 1 : 0));
        CRC32 headerCrc = new CRC32();
        headerCrc.update(h.array(), 0, Math.min(g.headerSize, SECTOR));
        h.putInt(16, (int) headerCrc.getValue() ^ (g.breakHeaderCrc ? 1 : 0));
        write(g.at * SECTOR, h.array());
    }

    /** A protective MBR and both headers. */
    void gpt(Gpt primary, Gpt backup) throws IOException {
        mbr(0, new long[]{ 0xee, 1, sectors - 1 });
        gpt(primary);
        gpt(backup);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
