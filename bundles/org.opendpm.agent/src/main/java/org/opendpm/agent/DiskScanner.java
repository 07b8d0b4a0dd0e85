package org.opendpm.agent;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

import org.opendpm.agent.disk.LinuxDiskScanner;
import org.opendpm.agent.disk.ScannedDisk;
import org.opendpm.agent.disk.ScannedPartition;
import org.opendpm.agent.protocol.Message;

/**
 * Lists the machine's disks for {@code diskInventory} (IMG-4): {@link LinuxDiskScanner} on Linux; elsewhere, and on
 * Windows, the agent answers that disk inventory is not available.
 */
@FunctionalInterface
public interface DiskScanner {

    /** The disks in the order the system lists them, numbered from 1, with their partitions. */
    List<Message.Disks.Disk> scan() throws IOException;

    /** Answers every scan with "not available". */
    DiskScanner UNAVAILABLE = () -> {
        throw new IOException("disk inventory is not available on this platform");
    };

    /** The scanner of this platform. */
    static DiskScanner platform() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return UNAVAILABLE;
        }
        LinuxDiskScanner linux = new LinuxDiskScanner();
        return () -> toMessages(linux.scan());
    }

    /** Files standing in for the machine's disks ({@code --test-disk}). */
    static DiskScanner testDisks(List<java.nio.file.Path> files) {
        return () -> toMessages(LinuxDiskScanner.scanFiles(files));
    }

    /** The scanner's records as the protocol's. */
    static List<Message.Disks.Disk> toMessages(List<ScannedDisk> disks) {
        return disks.stream().map(d -> new Message.Disks.Disk(d.number(), d.device(), d.sizeBytes(),
                d.partitionTable(), d.model(), d.partitions().stream().map(DiskScanner::toMessage).toList(),
                d.problem())).toList();
    }

    private static Message.Disks.Partition toMessage(ScannedPartition p) {
        return new Message.Disks.Partition(p.number(), p.startBytes(), p.sizeBytes(), p.type(), p.filesystem());
    }
}
