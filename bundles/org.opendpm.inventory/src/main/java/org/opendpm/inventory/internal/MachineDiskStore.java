package org.opendpm.inventory.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.MachineDisks;
import org.opendpm.api.inventory.PartitionInfo;
import org.opendpm.store.Database;

/**
 * A machine's disks from its last disk check (IMG-4): tables {@code machine_disk_scan}, {@code machine_disk} and
 * {@code machine_partition}. A new scan replaces the old one whole in one transaction, after locking the machine's
 * row, so two scans of one machine are applied one after the other and a reader sees one scan or the other.
 */
final class MachineDiskStore {

    static final Set<String> TABLES = Set.of("gpt", "mbr", "none", "unreadable");

    private static final int MAX_DEVICE = 64;
    private static final int MAX_MODEL = 255;
    private static final int MAX_TYPE = 36;
    private static final int MAX_FILESYSTEM = 32;

    private final Database database;

    MachineDiskStore(Database database) {
        this.database = database;
    }

    void record(long machineId, List<DiskInfo> disks, Instant scannedAt) {
        validate(disks, scannedAt);
        database.inTransaction(c -> {
            lockMachine(c, machineId);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM machine_disk_scan WHERE machine_id = ?")) {
                ps.setLong(1, machineId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO machine_disk_scan (machine_id, scanned_at) VALUES (?, ?)")) {
                ps.setLong(1, machineId);
                ps.setTimestamp(2, Timestamp.from(scannedAt));
                ps.executeUpdate();
            }
            insert(c, machineId, disks);
            return null;
        });
    }

    MachineDisks load(long machineId) {
        return database.inTransaction(c -> {
            Optional<Instant> scannedAt = Optional.empty();
            try (PreparedStatement ps = c.prepareStatement("SELECT s.scanned_at, m.id FROM machine m"
                    + " LEFT JOIN machine_disk_scan s ON s.machine_id = m.id WHERE m.id = ?")) {
                ps.setLong(1, machineId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new NotFoundException("No machine with id " + machineId);
                    }
                    scannedAt = Optional.ofNullable(rs.getTimestamp(1)).map(Timestamp::toInstant);
                }
            }
            if (scannedAt.isEmpty()) {
                return MachineDisks.never(machineId);
            }
            Map<Integer, List<PartitionInfo>> partitions = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT disk_number, partition_number, start_bytes,"
                    + " size_bytes, partition_type, filesystem FROM machine_partition WHERE machine_id = ?"
                    + " ORDER BY disk_number, partition_number")) {
                ps.setLong(1, machineId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        partitions.computeIfAbsent(rs.getInt(1), k -> new ArrayList<>()).add(new PartitionInfo(
                                rs.getInt(2), rs.getLong(3), rs.getLong(4), rs.getString(5), rs.getString(6)));
                    }
                }
            }
            List<DiskInfo> disks = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT disk_number, device, size_bytes, partition_table,"
                    + " model FROM machine_disk WHERE machine_id = ? ORDER BY disk_number")) {
                ps.setLong(1, machineId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        disks.add(new DiskInfo(rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                                rs.getString(5), partitions.getOrDefault(rs.getInt(1), List.of())));
                    }
                }
            }
            return new MachineDisks(machineId, disks, scannedAt);
        });
    }

    /** Takes the machine's row lock until the transaction ends; an unknown machine is 404. */
    private static void lockMachine(Connection c, long machineId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE machine SET updated_at = updated_at WHERE id = ?")) {
            ps.setLong(1, machineId);
            if (ps.executeUpdate() == 0) {
                throw new NotFoundException("No machine with id " + machineId);
            }
        }
    }

    private static void insert(Connection c, long machineId, List<DiskInfo> disks) throws SQLException {
        try (PreparedStatement d = c.prepareStatement("INSERT INTO machine_disk (machine_id, disk_number, device,"
                + " size_bytes, partition_table, model) VALUES (?, ?, ?, ?, ?, ?)");
                PreparedStatement p = c.prepareStatement("INSERT INTO machine_partition (machine_id, disk_number,"
                        + " partition_number, start_bytes, size_bytes, partition_type, filesystem)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (DiskInfo disk : disks) {
                d.setLong(1, machineId);
                d.setInt(2, disk.number());
                d.setString(3, disk.device());
                d.setLong(4, disk.sizeBytes());
                d.setString(5, disk.partitionTable());
                d.setString(6, disk.model());
                d.addBatch();
                for (PartitionInfo part : disk.partitions()) {
                    p.setLong(1, machineId);
                    p.setInt(2, disk.number());
                    p.setInt(3, part.number());
                    p.setLong(4, part.startBytes());
                    p.setLong(5, part.sizeBytes());
                    p.setString(6, part.type());
                    p.setString(7, part.filesystem());
                    p.addBatch();
                }
            }
            // Disks before partitions: the partitions' foreign key needs them.
            d.executeBatch();
            p.executeBatch();
        }
    }

    /** Refuses the whole record on the first bad field, named as in the JSON ({@code disks[0].partitions[2].type}). */
    static void validate(List<DiskInfo> disks, Instant scannedAt) {
        if (scannedAt == null) {
            throw new ValidationException("scannedAt", "The scan time is required");
        }
        if (disks == null) {
            throw new ValidationException("disks", "The list of disks is required (empty when the scan found none)");
        }
        if (disks.size() > InventoryService.MAX_DISKS) {
            throw new ValidationException("disks", disks.size() + " disks are more than the "
                    + InventoryService.MAX_DISKS + " a machine may have recorded");
        }
        Set<Integer> numbers = new HashSet<>();
        for (int i = 0; i < disks.size(); i++) {
            String f = "disks[" + i + "]";
            DiskInfo d = disks.get(i);
            if (d == null) {
                throw new ValidationException(f, "A disk is null");
            }
            if (d.number() < 1) {
                throw new ValidationException(f + ".number", "Disk numbers start at 1, not " + d.number());
            }
            if (!numbers.add(d.number())) {
                throw new ValidationException(f + ".number", "Disk number " + d.number() + " is listed twice");
            }
            text(f + ".device", d.device(), MAX_DEVICE, false);
            text(f + ".model", d.model(), MAX_MODEL, true);
            if (d.sizeBytes() < 0) {
                throw new ValidationException(f + ".sizeBytes", "A disk size is 0 or more, not " + d.sizeBytes());
            }
            if (!TABLES.contains(d.partitionTable())) {
                throw new ValidationException(f + ".partitionTable", "Partition table '" + d.partitionTable()
                        + "' is none of " + String.join(", ", TABLES.stream().sorted().toList()));
            }
            partitions(f, d);
        }
    }

    private static void partitions(String f, DiskInfo d) {
        List<PartitionInfo> parts = d.partitions();
        if (parts.size() > InventoryService.MAX_PARTITIONS) {
            throw new ValidationException(f + ".partitions", parts.size() + " partitions are more than the "
                    + InventoryService.MAX_PARTITIONS + " a disk may have recorded");
        }
        if (!parts.isEmpty() && (d.partitionTable().equals("none") || d.partitionTable().equals("unreadable"))) {
            throw new ValidationException(f + ".partitions", "A disk with partition table '" + d.partitionTable()
                    + "' has no partitions");
        }
        Set<Integer> numbers = new HashSet<>();
        for (int j = 0; j < parts.size(); j++) {
            String pf = f + ".partitions[" + j + "]";
            PartitionInfo p = parts.get(j);
            if (p.number() < 1) {
                throw new ValidationException(pf + ".number", "Partition numbers start at 1, not " + p.number());
            }
            if (!numbers.add(p.number())) {
                throw new ValidationException(pf + ".number", "Partition number " + p.number()
                        + " is listed twice on disk " + d.number());
            }
            if (p.startBytes() < 0) {
                throw new ValidationException(pf + ".startBytes", "A partition start is 0 or more, not "
                        + p.startBytes());
            }
            if (p.sizeBytes() < 0) {
                throw new ValidationException(pf + ".sizeBytes", "A partition size is 0 or more, not "
                        + p.sizeBytes());
            }
            if (p.startBytes() > d.sizeBytes() || p.sizeBytes() > d.sizeBytes() - p.startBytes()) {
                throw new ValidationException(pf + (p.startBytes() > d.sizeBytes() ? ".startBytes" : ".sizeBytes"),
                        "Partition " + p.number() + " (bytes "
                                + p.startBytes() + " to " + (p.startBytes() + p.sizeBytes())
                                + ") ends past the end of disk "
                                + d.number() + " (" + d.sizeBytes() + " bytes)");
            }
            text(pf + ".type", p.type(), MAX_TYPE, false);
            text(pf + ".filesystem", p.filesystem(), MAX_FILESYSTEM, true);
        }
    }

    private static void text(String field, String value, int max, boolean mayBeEmpty) {
        if (value.isBlank() && !mayBeEmpty) {
            throw new ValidationException(field, "A value is required");
        }
        if (value.length() > max) {
            throw new ValidationException(field, "At most " + max + " characters, not " + value.length());
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new ValidationException(field, "Control characters are not allowed");
        }
    }
}
