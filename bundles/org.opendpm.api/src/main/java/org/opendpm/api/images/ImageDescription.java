package org.opendpm.api.images;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Every field of an image's header (docs/image-format.md) and what its index counts.
 *
 * @param name the image name
 * @param size bytes of the file
 * @param modified when the file was last written
 * @param formatVersion the format version, "major.minor"
 * @param imageId the image's UUID
 * @param created when the backup started
 * @param chunkSize bytes of disk per chunk
 * @param deployOsId the Deploy-OS that took it (may be empty)
 * @param machineModel the source machine's model (may be empty)
 * @param source the machine it was taken from
 * @param disks the source machine's disks
 * @param extents the imaged byte ranges, in image order
 * @param chunks chunks in the image
 * @param holes of them, all-zero chunks (nothing stored)
 * @param storedBytes compressed bytes of all chunks
 */
public record ImageDescription(String name, long size, Instant modified, String formatVersion, UUID imageId,
        Instant created, int chunkSize, String deployOsId, String machineModel, Source source, List<Disk> disks,
        List<Extent> extents, long chunks, long holes, long storedBytes) {

    public ImageDescription {
        disks = List.copyOf(disks);
        extents = List.copyOf(extents);
    }

    /** The source machine; each field may be empty. */
    public record Source(String name, String mac, String uuid) {
    }

    /**
     * A source disk.
     *
     * @param number disk number (IMG-4's numbering)
     * @param sizeBytes bytes
     * @param sectorSize logical sector size
     * @param partitionTableBytes bytes of partition table (MBR and GPT sectors) kept to write back on restore
     * @param partitions its partitions
     */
    public record Disk(int number, long sizeBytes, int sectorSize, int partitionTableBytes,
            List<Partition> partitions) {
        public Disk {
            partitions = List.copyOf(partitions);
        }
    }

    /** A partition of a source disk; {@code type} as its table names it (GPT type GUID or MBR type in hex). */
    public record Partition(int number, long offset, long length, String type) {
    }

    /** An imaged byte range of one disk. */
    public record Extent(int disk, long offset, long length) {
    }
}
