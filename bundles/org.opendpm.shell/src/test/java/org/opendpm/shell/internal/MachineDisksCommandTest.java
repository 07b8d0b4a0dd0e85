package org.opendpm.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.Test;
import org.opendpm.api.inventory.DiskInfo;
import org.opendpm.api.inventory.MachineDisks;
import org.opendpm.api.inventory.PartitionInfo;

/** IMG-4: what dpm:machine-disks prints. */
public class MachineDisksCommandTest {

    @Test
    public void sizesAreHumanReadable() {
        assertThat(MachineDisksCommand.size(0)).isEqualTo("0 B");
        assertThat(MachineDisksCommand.size(1023)).isEqualTo("1023 B");
        assertThat(MachineDisksCommand.size(1024)).isEqualTo("1.0 KiB");
        assertThat(MachineDisksCommand.size(1_048_576)).isEqualTo("1.0 MiB");
        assertThat(MachineDisksCommand.size(500_107_862_016L)).isEqualTo("465.8 GiB");
        assertThat(MachineDisksCommand.size(2L << 40)).isEqualTo("2.0 TiB");
        assertThat(MachineDisksCommand.size(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
    }

    @Test
    public void disksWithTheirPartitionsIndented() {
        String out = MachineDisksCommand.format("pc1", new MachineDisks(7, List.of(
                new DiskInfo(1, "sda", 64L << 20, "mbr", "QEMU HARDDISK", List.of(
                        new PartitionInfo(1, 1 << 20, 8L << 20, "83", "ext4"),
                        new PartitionInfo(5, 10L << 20, 4L << 20, "82", "swap"))),
                new DiskInfo(2, "nvme0n1", 0, "unreadable", "", List.of())),
                Optional.of(Instant.parse("2026-03-01T10:00:00Z"))));
        assertThat(out).isEqualTo(String.join("\n",
                "Disks of pc1, checked 2026-03-01T10:00:00Z",
                "Disk   Device             Size Table       Model",
                "1      sda            64.0 MiB mbr         QEMU HARDDISK",
                "  Partition      Start       Size  Type                                  File system",
                "  1            1.0 MiB    8.0 MiB  83                                    ext4",
                "  5           10.0 MiB    4.0 MiB  82                                    swap",
                "2      nvme0n1             0 B unreadable  ",
                ""));
    }

    @Test
    public void neverCheckedAndNothingFoundAreSaid() {
        assertThat(MachineDisksCommand.format("pc1", MachineDisks.never(7))).contains("no disk check yet");
        assertThat(MachineDisksCommand.format("pc1", new MachineDisks(7, List.of(), Optional.of(Instant.EPOCH))))
                .endsWith("No disks were found\n");
    }
}
