package org.opendpm.api.inventory;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the last disk check (IMG-4) found on a machine.
 *
 * @param machineId the machine
 * @param disks its disks ordered by number; empty when never scanned or when the scan found none
 * @param scannedAt when the Deploy-OS scanned them; empty when the machine was never scanned
 */
public record MachineDisks(long machineId, List<DiskInfo> disks, Optional<Instant> scannedAt) {

    public MachineDisks {
        disks = List.copyOf(disks);
        Objects.requireNonNull(scannedAt, "scannedAt");
    }

    /** A machine whose disks were never scanned. */
    public static MachineDisks never(long machineId) {
        return new MachineDisks(machineId, List.of(), Optional.empty());
    }
}
