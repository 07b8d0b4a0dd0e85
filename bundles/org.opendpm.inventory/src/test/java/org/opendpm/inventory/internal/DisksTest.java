package org.opendpm.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.opendpm.inventory.internal.GroupsTest.assertField;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.Test;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineDisks;
import org.opendpm.api.inventory.MachineGroup;
import org.opendpm.api.inventory.MachineSpec;
import org.opendpm.api.inventory.PartitionInfo;

/** IMG-4: a machine's disks as the disk check recorded them, replaced whole, checked field by field. */
public class DisksTest {

    private static final long GIB = 1L << 30;
    private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant T2 = Instant.parse("2026-03-02T11:30:00Z");
    private static final String LINUX = "0fc63daf-8483-4772-8e79-3d69d8477de4";

    private final InventoryFixture fx = new InventoryFixture(Limits.GUIDE);
    private final JdbcInventoryService inv = fx.service;
    private final MachineGroup g = inv.createGroup("/G", null);
    private final Machine pc = inv.createMachine(g.id(), MachineSpec.of("pc1", "00-50-56-AA-BB-CC"));

    private static DiskInfo sda() {
        return new DiskInfo(1, "sda", 500 * GIB, "mbr", "ST500DM002", List.of(
                new PartitionInfo(1, 1 << 20, GIB, "83", "ext4"),
                new PartitionInfo(2, GIB + (1 << 20), 4 * GIB, "05", ""),
                new PartitionInfo(5, GIB + (2 << 20), 2 * GIB, "82", "swap")));
    }

    private static DiskInfo nvme() {
        return new DiskInfo(2, "nvme0n1", 256 * GIB, "gpt", "", List.of(
                new PartitionInfo(1, 1 << 20, 512L << 20, "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "vfat"),
                new PartitionInfo(3, 1L << 30, 100 * GIB, LINUX, "")));
    }

    @Test
    public void aMachineNeverScannedHasNoDisksAndNoScanTime() {
        assertThat(inv.disks(pc.id())).isEqualTo(new MachineDisks(pc.id(), List.of(), Optional.empty()));
    }

    @Test
    public void recordedDisksComeBackAsRecordedAndANewScanReplacesThemWhole() {
        inv.recordDisks(pc.id(), List.of(nvme(), sda()), T1);
        MachineDisks first = inv.disks(pc.id());
        assertThat(first.scannedAt()).contains(T1);
        assertThat(first.disks()).containsExactly(sda(), nvme());
        assertThat(fx.count("machine_partition")).isEqualTo(5);

        DiskInfo replaced = new DiskInfo(1, "sda", 500 * GIB, "unreadable", "ST500DM002", List.of());
        inv.recordDisks(pc.id(), List.of(replaced), T2);
        assertThat(inv.disks(pc.id())).isEqualTo(new MachineDisks(pc.id(), List.of(replaced), Optional.of(T2)));
        assertThat(fx.count("machine_partition")).isZero();

        // A scan that found no disk is a scan: its time is kept.
        inv.recordDisks(pc.id(), List.of(), T1);
        assertThat(inv.disks(pc.id())).isEqualTo(new MachineDisks(pc.id(), List.of(), Optional.of(T1)));
    }

    @Test
    public void disksGoWithTheirMachine() {
        inv.recordDisks(pc.id(), List.of(sda(), nvme()), T1);
        inv.deleteMachine(pc.id());
        assertThat(fx.count("machine_disk_scan")).isZero();
        assertThat(fx.count("machine_disk")).isZero();
        assertThat(fx.count("machine_partition")).isZero();
    }

    @Test
    public void anUnknownMachineIsNotFound() {
        assertThatThrownBy(() -> inv.recordDisks(999, List.of(sda()), T1)).isInstanceOf(NotFoundException.class)
                .hasMessage("No machine with id 999");
        assertThatThrownBy(() -> inv.disks(999)).isInstanceOf(NotFoundException.class);
        assertThat(fx.count("machine_disk")).isZero();
    }

    private void refused(String field, DiskInfo... disks) {
        assertField(() -> inv.recordDisks(pc.id(), List.of(disks), T2), field);
    }

    private static DiskInfo disk(int number, long size, String table, PartitionInfo... parts) {
        return new DiskInfo(number, "sd" + (char) ('a' + number % 26), size, table, "m", List.of(parts));
    }

    @Test
    public void badRecordsAreRefusedWholeNamingTheFieldAndTheOldScanStays() {
        inv.recordDisks(pc.id(), List.of(sda()), T1);
        PartitionInfo ok = new PartitionInfo(1, 0, GIB, "83", "");
        refused("disks[1].number", sda(), disk(1, GIB, "mbr"));
        refused("disks[0].number", disk(0, GIB, "none"));
        refused("disks[0].sizeBytes", disk(1, -1, "none"));
        refused("disks[0].device", new DiskInfo(1, " ", GIB, "none", "", List.of()));
        refused("disks[0].device", new DiskInfo(1, "x".repeat(65), GIB, "none", "", List.of()));
        refused("disks[0].model", new DiskInfo(1, "sda", GIB, "none", "bad\u0000model", List.of()));
        refused("disks[0].partitionTable", disk(1, GIB, "apm"));
        refused("disks[0].partitions", disk(1, GIB, "none", ok));
        refused("disks[0].partitions", disk(1, GIB, "unreadable", ok));
        refused("disks[0].partitions[1].number", disk(1, 2 * GIB, "mbr", ok, new PartitionInfo(1, GIB, 1, "83", "")));
        refused("disks[0].partitions[0].number", disk(1, GIB, "mbr", new PartitionInfo(0, 0, 1, "83", "")));
        refused("disks[0].partitions[0].startBytes", disk(1, GIB, "mbr", new PartitionInfo(1, -512, 1, "83", "")));
        refused("disks[0].partitions[0].sizeBytes", disk(1, GIB, "mbr", new PartitionInfo(1, 0, -1, "83", "")));
        // Past the disk end, also where start + size would overflow a long.
        refused("disks[0].partitions[0].sizeBytes", disk(1, GIB, "mbr", new PartitionInfo(1, 512, GIB, "83", "")));
        refused("disks[0].partitions[0].startBytes", disk(1, GIB, "mbr", new PartitionInfo(1, GIB + 1, 0, "83", "")));
        refused("disks[0].partitions[0].sizeBytes", disk(1, Long.MAX_VALUE, "gpt", new PartitionInfo(1, 1L << 62,
                Long.MAX_VALUE - 5, LINUX, "")));
        refused("disks[0].partitions[0].type", disk(1, GIB, "mbr", new PartitionInfo(1, 0, 1, "", "")));
        refused("disks[0].partitions[0].filesystem", disk(1, GIB, "mbr", new PartitionInfo(1, 0, 1, "83",
                "f".repeat(33))));
        assertField(() -> inv.recordDisks(pc.id(), null, T2), "disks");
        assertField(() -> inv.recordDisks(pc.id(), List.of(sda()), null), "scannedAt");
        assertThat(inv.disks(pc.id())).isEqualTo(new MachineDisks(pc.id(), List.of(sda()), Optional.of(T1)));
    }

    @Test
    public void at64DisksAnd256PartitionsTheLimitsHold() {
        List<PartitionInfo> parts = new ArrayList<>();
        for (int i = 1; i <= 256; i++) {
            parts.add(new PartitionInfo(i, i * GIB, GIB, LINUX, "ext4"));
        }
        List<DiskInfo> disks = new ArrayList<>();
        for (int i = 1; i <= 64; i++) {
            disks.add(new DiskInfo(i, "sd" + i, 300 * GIB, "gpt", "m", i == 1 ? parts : List.of()));
        }
        inv.recordDisks(pc.id(), disks, T1);
        assertThat(inv.disks(pc.id()).disks()).hasSize(64);
        assertThat(inv.disks(pc.id()).disks().get(0).partitions()).hasSize(256);

        List<DiskInfo> tooMany = new ArrayList<>(disks);
        tooMany.add(new DiskInfo(65, "sd65", GIB, "none", "", List.of()));
        assertField(() -> inv.recordDisks(pc.id(), tooMany, T2), "disks");
        List<PartitionInfo> tooManyParts = new ArrayList<>(parts);
        tooManyParts.add(new PartitionInfo(257, 0, GIB, LINUX, ""));
        refused("disks[0].partitions", new DiskInfo(1, "sda", 300 * GIB, "gpt", "", tooManyParts));
        assertThat(inv.disks(pc.id()).scannedAt()).contains(T1);
    }
}
