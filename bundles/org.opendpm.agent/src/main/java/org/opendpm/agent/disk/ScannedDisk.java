package org.opendpm.agent.disk;

import java.util.List;
import java.util.Objects;

/**
 * A disk as the agent found it; mirrors the server's {@code DiskInfo}.
 *
 * @param number the disk number administrators use, from 1, in {@link LinuxDiskScanner}'s documented order
 * @param device the kernel's name ({@code sda}, {@code nvme0n1})
 * @param sizeBytes its size in bytes
 * @param partitionTable {@code gpt}, {@code mbr}, {@code none}, or {@link #UNREADABLE} when the disk or its table
 *            could not be read; {@code problem} then says why
 * @param model the model string the disk reports, empty when none
 * @param partitions its partitions, ordered by number
 * @param problem why the table is {@link #UNREADABLE}; empty otherwise
 */
public record ScannedDisk(int number, String device, long sizeBytes, String partitionTable, String model,
        List<ScannedPartition> partitions, String problem) {

    public static final String GPT = "gpt";
    public static final String MBR = "mbr";
    public static final String NONE = "none";
    public static final String UNREADABLE = "unreadable";

    public ScannedDisk {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(partitionTable, "partitionTable");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(problem, "problem");
        partitions = List.copyOf(partitions);
    }
}
