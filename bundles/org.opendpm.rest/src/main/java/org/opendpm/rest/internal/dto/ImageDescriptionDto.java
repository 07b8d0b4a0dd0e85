package org.opendpm.rest.internal.dto;

import java.util.List;

import org.opendpm.api.images.ImageDescription;

/**
 * Every header field of an image (docs/image-format.md) and what its index counts; times are ISO-8601 UTC.
 *
 * @param formatVersion "major.minor"
 * @param deployOsId the Deploy-OS that took the image (IMG-5; may be empty)
 * @param machineModel the source machine's model (IMG-5; may be empty)
 * @param holes chunks that are all zeros (nothing stored)
 * @param storedBytes compressed bytes of all chunks
 */
public record ImageDescriptionDto(String name, long size, String modified, String formatVersion, String imageId,
        String created, int chunkSize, String deployOsId, String machineModel, Source source, List<Disk> disks,
        List<Extent> extents, long chunks, long holes, long storedBytes) {

    /** The machine the image was taken from; each field may be empty. */
    public record Source(String name, String mac, String uuid) {
    }

    /**
     * A source disk.
     *
     * @param partitionTableBytes bytes of partition table (MBR and GPT sectors) kept to write back on restore
     */
    public record Disk(int number, long sizeBytes, int sectorSize, int partitionTableBytes,
            List<Partition> partitions) {
    }

    /** A partition; {@code type} is the GPT type GUID or the MBR type in hex. */
    public record Partition(int number, long offset, long length, String type) {
    }

    /** An imaged byte range of one disk, in image order. */
    public record Extent(int disk, long offset, long length) {
    }

    public static ImageDescriptionDto of(ImageDescription d) {
        return new ImageDescriptionDto(d.name(), d.size(), d.modified().toString(), d.formatVersion(),
                d.imageId().toString(), d.created().toString(), d.chunkSize(), d.deployOsId(), d.machineModel(),
                new Source(d.source().name(), d.source().mac(), d.source().uuid()),
                d.disks().stream().map(k -> new Disk(k.number(), k.sizeBytes(), k.sectorSize(),
                        k.partitionTableBytes(), k.partitions().stream()
                                .map(p -> new Partition(p.number(), p.offset(), p.length(), p.type())).toList()))
                        .toList(),
                d.extents().stream().map(e -> new Extent(e.disk(), e.offset(), e.length())).toList(), d.chunks(),
                d.holes(), d.storedBytes());
    }
}
