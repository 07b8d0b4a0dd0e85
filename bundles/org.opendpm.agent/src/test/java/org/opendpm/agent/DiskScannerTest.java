package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.Test;
import org.opendpm.agent.disk.ScannedDisk;
import org.opendpm.agent.disk.ScannedPartition;
import org.opendpm.agent.protocol.Message;

/** What the Linux scanner finds goes on the wire member for member, an unreadable disk with its problem (IMG-4). */
public class DiskScannerTest {

    @Test
    public void scannedDisksBecomeTheProtocolsRecords() {
        List<ScannedDisk> scanned = List.of(new ScannedDisk(1, "vda", 1L << 33, ScannedDisk.GPT, "QEMU HARDDISK",
                List.of(new ScannedPartition(1, 1 << 20, 1L << 29, "0fc63daf-8483-4772-8e79-3d69d8477de4", "ext4")),
                ""), new ScannedDisk(2, "vdb", 0, ScannedDisk.UNREADABLE, "", List.of(), "I/O error"));
        assertThat(DiskScanner.toMessages(scanned)).containsExactly(new Message.Disks.Disk(1, "vda", 1L << 33, "gpt",
                "QEMU HARDDISK", List.of(new Message.Disks.Partition(1, 1 << 20, 1L << 29,
                        "0fc63daf-8483-4772-8e79-3d69d8477de4", "ext4")),
                ""),
                new Message.Disks.Disk(2, "vdb", 0, "unreadable", "", List.of(), "I/O error"));
    }

    @Test
    public void onLinuxThePlatformScannerIsTheLinuxOne() {
        assertThat(DiskScanner.platform()).isNotSameAs(DiskScanner.UNAVAILABLE);
        assertThatThrownBy(DiskScanner.UNAVAILABLE::scan).hasMessage("disk inventory is not available on this "
                + "platform");
    }
}
