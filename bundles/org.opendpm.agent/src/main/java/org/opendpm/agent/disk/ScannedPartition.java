package org.opendpm.agent.disk;

import java.util.Objects;

/**
 * A partition as the agent found it; mirrors the server's {@code PartitionInfo}.
 *
 * @param number as Linux numbers it: the MBR slot 1-4, logical partitions from 5 in chain order, the GPT entry index
 *            plus 1
 * @param startBytes offset of its first byte on the disk
 * @param sizeBytes its size in bytes
 * @param type the MBR type byte as two lower-case hex digits ({@code 83}) or the GPT type GUID in lower case
 * @param filesystem the file system recognised by its superblock, blkid's name ({@code ext4}, {@code vfat},
 *            {@code swap}, {@code LVM2_member}, {@code crypto_LUKS} ...); empty when none was recognised
 */
public record ScannedPartition(int number, long startBytes, long sizeBytes, String type, String filesystem) {
    public ScannedPartition {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(filesystem, "filesystem");
    }
}
