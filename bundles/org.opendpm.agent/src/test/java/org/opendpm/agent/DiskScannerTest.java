package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;

import org.junit.Test;
import org.opendpm.agent.protocol.Message;

/** The plug-in point of the disk scanner: its own records are read by the protocol's member names (IMG-4). */
public class DiskScannerTest {

    public record Part(int number, long startBytes, long sizeBytes, String type, String filesystem) {
    }

    public record Disk(int number, String device, long sizeBytes, String partitionTable, String model,
            List<Part> partitions, String problem) {
    }

    public static final class Scanner {
        public List<Disk> scan() {
            return List.of(new Disk(1, "vda", 1L << 33, "gpt", "", List.of(new Part(1, 1 << 20, 1L << 29, "83",
                    "ext4")), ""), new Disk(2, "vdb", 0, "unreadable", "", List.of(), "I/O error"));
        }
    }

    public static final class Failing {
        public List<Disk> scan() throws IOException {
            throw new IOException("no /sys/block");
        }
    }

    @Test
    public void aScannerWithItsOwnRecordsIsReadByMemberNames() throws Exception {
        DiskScanner s = new DiskScanner.RecordScanner(new Scanner(), Scanner.class.getMethod("scan"));
        assertThat(s.scan()).containsExactly(new Message.Disks.Disk(1, "vda", 1L << 33, "gpt", "", List.of(
                new Message.Disks.Partition(1, 1 << 20, 1L << 29, "83", "ext4")), ""),
                new Message.Disks.Disk(2, "vdb", 0, "unreadable", "", List.of(), "I/O error"));
        DiskScanner f = new DiskScanner.RecordScanner(new Failing(), Failing.class.getMethod("scan"));
        assertThatThrownBy(f::scan).isInstanceOf(IOException.class).hasMessage("no /sys/block");
    }

    @Test
    public void thePlatformScannerIsTheLinuxOneWhenTheJarHasItAndNotAvailableOtherwise() {
        boolean present;
        try {
            Class.forName(DiskScanner.LINUX_IMPLEMENTATION);
            present = true;
        } catch (ClassNotFoundException e) {
            present = false;
        }
        if (present) {
            assertThat(DiskScanner.platform()).isNotSameAs(DiskScanner.UNAVAILABLE);
        } else {
            assertThat(DiskScanner.platform()).isSameAs(DiskScanner.UNAVAILABLE);
        }
        assertThatThrownBy(DiskScanner.UNAVAILABLE::scan).hasMessage("disk inventory is not available on this "
                + "platform");
    }
}
