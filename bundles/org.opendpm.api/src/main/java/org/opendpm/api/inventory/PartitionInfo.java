package org.opendpm.api.inventory;

import java.util.Objects;

/**
 * A partition of a {@link DiskInfo}.
 *
 * @param number the partition number as the partition table gives it (MBR logical partitions from 5)
 * @param startBytes offset of its first byte on the disk
 * @param sizeBytes its size in bytes
 * @param type the partition type: an MBR type byte as two hex digits ({@code 83}) or a GPT type GUID in lower case
 * @param filesystem the file system found in it ({@code ext4}, {@code xfs}, {@code vfat}, {@code ntfs},
 *            {@code swap} ...), empty when none was recognised
 */
public record PartitionInfo(int number, long startBytes, long sizeBytes, String type, String filesystem) {
    public PartitionInfo {
        Objects.requireNonNull(type, "type");
        filesystem = filesystem == null ? "" : filesystem;
    }
}
