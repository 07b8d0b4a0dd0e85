package org.opendpm.image.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;

import org.opendpm.image.ImageFormatException;
import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageHeader.Disk;
import org.opendpm.image.ImageHeader.Extent;
import org.opendpm.image.ImageHeader.Partition;
import org.opendpm.image.ImageHeader.SourceMachine;

/** The header's bytes (docs/image-format.md, "Header"), both ways. */
public final class HeaderCodec {

    private HeaderCodec() {
    }

    public static ByteBuffer encode(ImageHeader h) {
        return encode(h, Format.VERSION_MAJOR);
    }

    /** The header of a single-file image ({@link Format#VERSION_MAJOR}) or of a manifest. */
    public static ByteBuffer encode(ImageHeader h, int major) {
        int size = Format.HEADER_PREFIX + 16 + 4 + 1 + 1 + 8 + 5 * (2 + ImageHeader.MAX_STRING_BYTES) + 2 + 4
                + h.extents().size() * 18 + 4;
        for (Disk d : h.disks()) {
            size += 2 + 8 + 4 + 4 + d.partitionTable().length + 2 + d.partitions().size() * (2 + 8 + 8 + 2 + 64);
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(Format.MAGIC).putShort((short) major).putShort((short) Format.VERSION_MINOR).putInt(0);
        b.putLong(h.imageId().getMostSignificantBits()).putLong(h.imageId().getLeastSignificantBits());
        b.putInt(h.chunkSize()).put((byte) Format.COMPRESSION_ZSTD).put((byte) Format.CHECKSUM_SHA256_CRC32C);
        b.putLong(h.created().toEpochMilli());
        for (String s : List.of(h.deployOsId(), h.machineModel(), h.source().name(), h.source().mac(),
                h.source().uuid())) {
            putString(b, s);
        }
        b.putShort((short) h.disks().size());
        for (Disk d : h.disks()) {
            b.putShort((short) d.number()).putLong(d.size()).putInt(d.sectorSize());
            byte[] table = d.partitionTable();
            b.putInt(table.length).put(table);
            b.putShort((short) d.partitions().size());
            for (Partition p : d.partitions()) {
                b.putShort((short) p.number()).putLong(p.offset()).putLong(p.length());
                putString(b, p.type());
            }
        }
        b.putInt(h.extents().size());
        for (Extent e : h.extents()) {
            b.putShort((short) e.diskNumber()).putLong(e.offset()).putLong(e.length());
        }
        int length = b.position() + 4;
        b.putInt(12, length);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    private static void putString(ByteBuffer b, String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        b.putShort((short) u.length).put(u);
    }

    /** Checks the first 8 bytes of the file. */
    public static void checkMagic(ByteBuffer prefix) throws ImageFormatException {
        byte[] magic = new byte[8];
        prefix.get(0, magic);
        if (!Arrays.equals(magic, Format.MAGIC)) {
            throw new ImageFormatException("not an OpenDPM image: wrong magic " + hex(magic), 0);
        }
    }

    /**
     * Checks the 16-byte prefix at the start of the file and returns the header length it announces, bounded by
     * {@link Format#MAX_HEADER} and by what the file can hold before its trailer.
     */
    public static int headerLength(ByteBuffer prefix, long fileSize) throws ImageFormatException {
        checkMagic(prefix);
        int major = prefix.getShort(8) & 0xFFFF;
        int minor = prefix.getShort(10) & 0xFFFF;
        if (major != Format.VERSION_MAJOR && major != Format.MANIFEST_MAJOR) {
            throw new ImageFormatException("format version " + major + "." + minor + " is not readable by this reader"
                    + " (reads " + Format.VERSION_MAJOR + ".x and " + Format.MANIFEST_MAJOR + ".x)", 8);
        }
        long length = prefix.getInt(12) & 0xFFFF_FFFFL;
        if (length < Format.HEADER_PREFIX + 4 || length > Format.MAX_HEADER) {
            throw new ImageFormatException("header length " + length + " is outside " + (Format.HEADER_PREFIX + 4)
                    + ".." + Format.MAX_HEADER, 12);
        }
        if (length > fileSize - Format.TRAILER_SIZE) {
            throw new ImageFormatException("truncated: a header of " + length + " bytes and a trailer of "
                    + Format.TRAILER_SIZE + " do not fit in the file's " + fileSize + " bytes", 12);
        }
        return (int) length;
    }

    /** Parses the whole header (prefix included, {@code b} positioned at file offset 0). */
    public static ImageHeader decode(ByteBuffer b) throws ImageFormatException {
        int length = b.remaining();
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().limit(length - 4));
        int stored = b.getInt(length - 4);
        if ((int) crc.getValue() != stored) {
            throw new ImageFormatException("header CRC-32C mismatch (stored " + Integer.toHexString(stored)
                    + ", computed " + Integer.toHexString((int) crc.getValue()) + ")", length - 4);
        }
        int minor = b.getShort(10) & 0xFFFF;
        Cursor c = new Cursor(b.duplicate().position(Format.HEADER_PREFIX).limit(length - 4), Format.HEADER_PREFIX);
        UUID id = new UUID(c.i64("image UUID"), c.i64("image UUID"));
        long chunkSize = c.u32("chunk size");
        long at = c.offset();
        int compression = c.u8("compression");
        if (compression != Format.COMPRESSION_ZSTD) {
            throw new ImageFormatException("unknown compression " + compression, at);
        }
        int checksum = c.u8("checksum kind");
        if (checksum != Format.CHECKSUM_SHA256_CRC32C) {
            throw new ImageFormatException("unknown checksum kind " + checksum, at + 1);
        }
        Instant created = Instant.ofEpochMilli(c.i64("creation time"));
        String deployOs = c.string(ImageHeader.MAX_STRING_BYTES, "Deploy-OS id");
        String model = c.string(ImageHeader.MAX_STRING_BYTES, "machine model");
        SourceMachine source = new SourceMachine(c.string(ImageHeader.MAX_STRING_BYTES, "source machine name"),
                c.string(ImageHeader.MAX_STRING_BYTES, "source machine MAC"),
                c.string(ImageHeader.MAX_STRING_BYTES, "source machine UUID"));
        at = c.offset();
        int diskCount = c.u16("disk count");
        Cursor.bound(diskCount, ImageHeader.MAX_DISKS, "disk count", at);
        List<Disk> disks = new ArrayList<>(diskCount);
        for (int i = 0; i < diskCount; i++) {
            int number = c.u16("disk number");
            long size = c.u63("disk size");
            long sector = c.u32("sector size");
            byte[] table = c.bytes(ImageHeader.MAX_PARTITION_TABLE_BYTES, "partition table of disk " + number);
            at = c.offset();
            int partCount = c.u16("partition count");
            Cursor.bound(partCount, ImageHeader.MAX_PARTITIONS, "partition count of disk " + number, at);
            List<Partition> parts = new ArrayList<>(partCount);
            for (int j = 0; j < partCount; j++) {
                parts.add(new Partition(c.u16("partition number"), c.u63("partition offset"),
                        c.u63("partition length"), c.string(64, "partition type")));
            }
            disks.add(new Disk(number, size, (int) Math.min(sector, Integer.MAX_VALUE), table, parts));
        }
        at = c.offset();
        long extentCount = c.u32("extent count");
        Cursor.bound(extentCount, ImageHeader.MAX_EXTENTS, "extent count", at);
        List<Extent> extents = new ArrayList<>((int) extentCount);
        for (int i = 0; i < extentCount; i++) {
            extents.add(new Extent(c.u16("extent disk number"), c.u63("extent offset"), c.u63("extent length")));
        }
        // Version 1.0 has no room for more; a later 1.x may append fields, which this reader skips.
        if (minor == 0 && c.remaining() != 0) {
            throw new ImageFormatException(c.remaining() + " unexplained bytes at the end of the header", c.offset());
        }
        try {
            return new ImageHeader(id, (int) Math.min(chunkSize, Integer.MAX_VALUE), created, deployOs, model, source,
                    disks, extents);
        } catch (IllegalArgumentException e) {
            throw new ImageFormatException("header: " + e.getMessage(), Format.HEADER_PREFIX);
        }
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }
}
