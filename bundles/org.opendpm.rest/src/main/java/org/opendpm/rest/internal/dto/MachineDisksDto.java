package org.opendpm.rest.internal.dto;

import java.util.List;

import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.MachineDisks;
import org.opendpm.api.inventory.PartitionInfo;

/**
 * A machine's disks from its last disk check (IMG-4). {@code scannedAt} is ISO-8601 UTC, {@code null} when the
 * machine was never scanned (then {@code disks} is empty).
 */
public record MachineDisksDto(long machineId, String scannedAt, List<Disk> disks) {

    /**
     * One disk.
     *
     * @param partitionTable {@code gpt}, {@code mbr}, {@code none} or {@code unreadable}
     * @param model empty when the disk reports none
     */
    public record Disk(int number, String device, long sizeBytes, String partitionTable, String model,
            List<Partition> partitions) {
    }

    /**
     * One partition.
     *
     * @param type MBR type byte as two hex digits ({@code 83}) or GPT type GUID in lower case
     * @param filesystem {@code ext4}, {@code vfat}, {@code swap} ...; empty when none was recognised
     */
    public record Partition(int number, long startBytes, long sizeBytes, String type, String filesystem) {
    }

    public static MachineDisksDto of(MachineDisks d) {
        return new MachineDisksDto(d.machineId(), d.scannedAt().map(Object::toString).orElse(null),
                d.disks().stream().map(MachineDisksDto::disk).toList());
    }

    private static Disk disk(DiskInfo d) {
        return new Disk(d.number(), d.device(), d.sizeBytes(), d.partitionTable(), d.model(),
                d.partitions().stream().map(MachineDisksDto::partition).toList());
    }

    private static Partition partition(PartitionInfo p) {
        return new Partition(p.number(), p.startBytes(), p.sizeBytes(), p.type(), p.filesystem());
    }
}
