package org.opendpm.image;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * What an image holds and where its bytes came from (docs/image-format.md, "Header"). The extents say which byte
 * ranges of which disks were imaged, in order: a whole-disk image has one extent covering its disk, a partition image
 * one per partition. Chunks are cut from each extent from its start, so every chunk's disk and disk offset follow from
 * the header alone ({@link #chunkAt(long)}).
 *
 * <p>
 * The constructor enforces the same bounds the reader does, so a writer cannot produce an image a reader refuses.
 *
 * @param imageId the image's UUID, repeated in the trailer
 * @param chunkSize bytes of source per chunk, a power of two from {@link #MIN_CHUNK_SIZE} to {@link #MAX_CHUNK_SIZE}
 * @param created creation time (stored to the millisecond)
 * @param deployOsId the Deploy-OS that took the image (may be empty)
 * @param machineModel the source machine's model (may be empty)
 * @param source the source machine
 * @param disks the source machine's disks with their partition tables
 * @param extents the imaged byte ranges, in image order
 */
public record ImageHeader(UUID imageId, int chunkSize, Instant created, String deployOsId, String machineModel,
        SourceMachine source, List<Disk> disks, List<Extent> extents) {

    public static final int MIN_CHUNK_SIZE = 64 * 1024;
    public static final int MAX_CHUNK_SIZE = 64 * 1024 * 1024;
    public static final int DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
    public static final int MAX_STRING_BYTES = 1024;
    public static final int MAX_DISKS = 64;
    public static final int MAX_PARTITIONS = 256;
    public static final int MAX_PARTITION_TABLE_BYTES = 1024 * 1024;
    public static final int MAX_EXTENTS = 4096;
    /** 64 PiB: keeps every sum of sizes and offsets of an image far from overflow. */
    public static final long MAX_DISK_SIZE = 1L << 56;

    /** The machine an image was taken from; each field may be empty. */
    public record SourceMachine(String name, String mac, String uuid) {
        public SourceMachine {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(mac, "mac");
            Objects.requireNonNull(uuid, "uuid");
        }
    }

    /**
     * A partition as the disk check found it.
     *
     * @param number partition number on its disk (from 1)
     * @param offset byte offset on the disk
     * @param length bytes
     * @param type the partition type as the table names it (GPT type GUID or MBR type byte in hex)
     */
    public record Partition(int number, long offset, long length, String type) {
        public Partition {
            Objects.requireNonNull(type, "type");
        }
    }

    /**
     * A source disk.
     *
     * @param number disk number (from 1, as the disk check numbers them)
     * @param size bytes
     * @param sectorSize logical sector size
     * @param partitionTable the raw partition-table bytes (MBR and GPT sectors) to write back on restore
     * @param partitions its partitions
     */
    public record Disk(int number, long size, int sectorSize, byte[] partitionTable, List<Partition> partitions) {
        public Disk {
            partitionTable = partitionTable.clone();
            partitions = List.copyOf(partitions);
        }

        @Override
        public byte[] partitionTable() {
            return partitionTable.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Disk d && number == d.number && size == d.size && sectorSize == d.sectorSize
                    && java.util.Arrays.equals(partitionTable, d.partitionTable) && partitions.equals(d.partitions);
        }

        @Override
        public int hashCode() {
            return Objects.hash(number, size, sectorSize, partitions) * 31
                    + java.util.Arrays.hashCode(partitionTable);
        }
    }

    /** An imaged byte range of one disk. */
    public record Extent(int diskNumber, long offset, long length) {
    }

    /** Where a chunk's bytes belong. */
    public record ChunkLocation(long number, int diskNumber, long diskOffset, int length) {
    }

    public ImageHeader {
        Objects.requireNonNull(imageId, "imageId");
        // The file keeps milliseconds; so does the record, so a header read back equals the one written.
        created = Instant.ofEpochMilli(created.toEpochMilli());
        Objects.requireNonNull(deployOsId, "deployOsId");
        Objects.requireNonNull(machineModel, "machineModel");
        Objects.requireNonNull(source, "source");
        disks = List.copyOf(disks);
        extents = List.copyOf(extents);
        String fault = fault(chunkSize, List.of(deployOsId, machineModel, source.name(), source.mac(), source.uuid()),
                disks, extents);
        if (fault != null) {
            throw new IllegalArgumentException(fault);
        }
    }

    /**
     * The one place the header's bounds are checked, by the constructor and the reader alike: null if the values
     * are acceptable, else what is wrong.
     */
    private static String fault(int chunkSize, List<String> strings, List<Disk> disks, List<Extent> extents) {
        if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE || Integer.bitCount(chunkSize) != 1) {
            return "chunk size " + chunkSize + " is not a power of two from " + MIN_CHUNK_SIZE + " to "
                    + MAX_CHUNK_SIZE;
        }
        for (String s : strings) {
            if (s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_STRING_BYTES) {
                return "a text field is longer than " + MAX_STRING_BYTES + " bytes";
            }
        }
        if (disks.size() > MAX_DISKS) {
            return disks.size() + " disks, more than " + MAX_DISKS;
        }
        Map<Integer, Disk> byNumber = new HashMap<>();
        for (Disk d : disks) {
            if (d.number() < 1 || d.number() > 0xFFFF || byNumber.put(d.number(), d) != null) {
                return "disk number " + d.number() + " is out of range or repeated";
            }
            if (d.size() <= 0 || d.size() > MAX_DISK_SIZE) {
                return "disk " + d.number() + " has size " + d.size() + "; a disk has 1 to " + MAX_DISK_SIZE
                        + " bytes";
            }
            if (d.sectorSize() < 512 || d.sectorSize() > 65536 || Integer.bitCount(d.sectorSize()) != 1) {
                return "disk " + d.number() + " has sector size " + d.sectorSize();
            }
            if (d.partitionTable().length > MAX_PARTITION_TABLE_BYTES) {
                return "disk " + d.number() + " has a partition table of more than " + MAX_PARTITION_TABLE_BYTES
                        + " bytes";
            }
            if (d.partitions().size() > MAX_PARTITIONS) {
                return "disk " + d.number() + " has more than " + MAX_PARTITIONS + " partitions";
            }
            for (Partition p : d.partitions()) {
                if (p.number() < 1 || p.number() > 0xFFFF || p.offset() < 0 || p.length() <= 0
                        || p.offset() > d.size() - p.length()) {
                    return "disk " + d.number() + " partition " + p.number() + " lies outside the disk";
                }
                if (p.type().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 64) {
                    return "disk " + d.number() + " partition " + p.number() + " has a type longer than 64 bytes";
                }
            }
        }
        if (extents.isEmpty() || extents.size() > MAX_EXTENTS) {
            return extents.size() + " extents; an image has 1 to " + MAX_EXTENTS;
        }
        Map<Integer, Long> endByDisk = new HashMap<>();
        for (Extent e : extents) {
            Disk d = byNumber.get(e.diskNumber());
            if (d == null) {
                return "an extent names disk " + e.diskNumber() + ", which the header does not list";
            }
            if (e.offset() < 0 || e.length() <= 0 || e.offset() > d.size() - e.length()) {
                return "extent at " + e.offset() + " length " + e.length() + " lies outside disk " + d.number();
            }
            Long end = endByDisk.get(d.number());
            if (end != null && e.offset() < end) {
                return "extents of disk " + d.number() + " overlap or are out of order at " + e.offset();
            }
            endByDisk.put(d.number(), e.offset() + e.length());
        }
        return null;
    }

    /** Number of chunks: each extent cut into chunks of {@link #chunkSize()} from its start. */
    public long chunkCount() {
        long n = 0;
        for (Extent e : extents) {
            n += chunksOf(e);
        }
        return n;
    }

    /** Source bytes the image holds, holes included. */
    public long totalBytes() {
        long n = 0;
        for (Extent e : extents) {
            n += e.length();
        }
        return n;
    }

    /** Where chunk {@code number} belongs. */
    public ChunkLocation chunkAt(long number) {
        if (number < 0) {
            throw new IndexOutOfBoundsException("chunk " + number);
        }
        long first = 0;
        for (Extent e : extents) {
            long n = chunksOf(e);
            if (number < first + n) {
                long within = (number - first) * chunkSize;
                int length = (int) Math.min(chunkSize, e.length() - within);
                return new ChunkLocation(number, e.diskNumber(), e.offset() + within, length);
            }
            first += n;
        }
        throw new IndexOutOfBoundsException("chunk " + number + " of " + first);
    }

    /** The chunk locations in order, computed once for a whole pass over the image. */
    public List<ChunkLocation> chunkLocations() {
        List<ChunkLocation> all = new ArrayList<>((int) Math.min(chunkCount(), Integer.MAX_VALUE - 8));
        long number = 0;
        for (Extent e : extents) {
            for (long within = 0; within < e.length(); within += chunkSize) {
                all.add(new ChunkLocation(number++, e.diskNumber(), e.offset() + within,
                        (int) Math.min(chunkSize, e.length() - within)));
            }
        }
        return all;
    }

    private long chunksOf(Extent e) {
        return (e.length() - 1) / chunkSize + 1;
    }

    /** A whole-disk image of one disk without partition information, as tests and benchmarks use. */
    public static ImageHeader wholeDisk(long size, int chunkSize) {
        return new ImageHeader(UUID.randomUUID(), chunkSize, Instant.now(), "", "", new SourceMachine("", "", ""),
                List.of(new Disk(1, size, 512, new byte[0], List.of())), List.of(new Extent(1, 0, size)));
    }
}
