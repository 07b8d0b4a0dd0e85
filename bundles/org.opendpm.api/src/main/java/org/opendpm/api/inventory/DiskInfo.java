package org.opendpm.api.inventory;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A disk of a managed machine as the agent in its Deploy-OS found it (IMG-4, the disk check).
 *
 * @param number the disk number administrators use in Backup/Restore settings, from 1, in the order the Deploy-OS
 *            lists the machine's disks
 * @param device the kernel's name for it ({@code sda}, {@code vda}, {@code nvme0n1})
 * @param sizeBytes its size in bytes
 * @param partitionTable {@code gpt}, {@code mbr}, {@code none}, or {@code unreadable} when the Deploy-OS could not
 *            read the disk or found its table corrupt
 * @param model the model string the disk reports, empty when it reports none
 * @param partitions its partitions, ordered by number
 */
public record DiskInfo(int number, String device, long sizeBytes, String partitionTable, String model,
        List<PartitionInfo> partitions) {

    public DiskInfo {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(partitionTable, "partitionTable");
        model = model == null ? "" : model;
        partitions = List.copyOf(partitions);
    }

    /** The partition with that number, if the disk has it. */
    public Optional<PartitionInfo> partition(int partitionNumber) {
        return partitions.stream().filter(p -> p.number() == partitionNumber).findFirst();
    }
}
