package org.opendpm.agent.disk;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The disk check (IMG-4) in a Linux Deploy-OS: the machine's disks from sysfs, each partition table read from the
 * device itself, and the file system in each partition.
 *
 * <p><b>Which block devices are disks.</b> Every entry of {@code /sys/block} except devices that are not disks of
 * the machine: {@code loop}, {@code ram}, {@code zram}, {@code sr} (optical), {@code fd}, {@code dm-} and {@code md}
 * (views assembled over the disks, which are listed themselves), {@code nbd}, {@code mtdblock}, the eMMC boot and
 * RPMB areas ({@code mmcblk0boot0}, {@code mmcblk0rpmb}); devices of size 0 (an empty card reader); and removable
 * media ({@code removable} = 1: USB sticks, cards, often the medium the Deploy-OS itself started from), so that
 * plugging one in does not move the numbers of the machine's disks.
 *
 * <p><b>Disk numbers.</b> From 1, by controller family and then by the kernel's name within the family:
 * {@code hd} (IDE), {@code sd} (SATA, SAS, SCSI, USB), {@code vd} (virtio), {@code xvd} (Xen), {@code nvme},
 * {@code mmcblk}, then any other name. Within a family names compare as the kernel hands them out: letters by
 * length, then alphabetically ({@code sdz} before {@code sdaa}), digits as numbers ({@code nvme2n1} before
 * {@code nvme10n1}). This is the order the guide's disk numbers follow in practice (the first SATA disk is
 * disk 1), and like them a number changes when a disk is added or removed before it (re-run the disk check).
 *
 * <p><b>Errors.</b> A disk whose device cannot be opened or read, or whose partition table is corrupt (every check
 * in {@link MbrReader} and {@link GptReader}), is still reported, in its place and with its number, with partition
 * table {@value ScannedDisk#UNREADABLE} and the reason, and the scan goes on with the other disks: one failing disk
 * must not hide the others from an administrator choosing a backup target. Only a missing {@code /sys/block} fails
 * the whole scan.
 */
public final class LinuxDiskScanner {

    private static final Logger LOG = Logger.getLogger(LinuxDiskScanner.class.getName());

    private static final List<String> NOT_DISKS = List.of("loop", "ram", "zram", "sr", "fd", "dm-", "md", "nbd",
            "mtdblock");

    private final Path sysfs;
    private final Path dev;

    public LinuxDiskScanner() {
        this(Path.of("/sys"), Path.of("/dev"));
    }

    /** A scanner over another sysfs and device folder (tests: a fake tree pointing at image files). */
    public LinuxDiskScanner(Path sysfsRoot, Path devRoot) {
        this.sysfs = sysfsRoot;
        this.dev = devRoot;
    }

    /** The machine's disks, numbered as documented above. */
    public List<ScannedDisk> scan() throws IOException {
        Path block = sysfs.resolve("block");
        List<String> names;
        try (Stream<Path> s = Files.list(block)) {
            names = s.map(p -> p.getFileName().toString()).filter(this::isDisk).sorted(DiskOrder.INSTANCE)
                    .toList();
        }
        List<ScannedDisk> result = new ArrayList<>();
        for (String name : names) {
            result.add(scan(result.size() + 1, name, block.resolve(name)));
        }
        return result;
    }

    private boolean isDisk(String name) {
        if (NOT_DISKS.stream().anyMatch(name::startsWith) || name.matches("mmcblk\\d+(boot\\d+|rpmb)")) {
            return false;
        }
        Path dir = sysfs.resolve("block").resolve(name);
        return !"1".equals(attribute(dir.resolve("removable")).orElse("0"))
                && sectors(dir).filter(n -> n > 0).isPresent();
    }

    private ScannedDisk scan(int number, String name, Path sys) {
        return scan(number, name, dev.resolve(name), sectors(sys).orElse(0L) * 512, sectorSize(sys),
                attribute(sys.resolve("device").resolve("model")).orElse(""));
    }

    /**
     * Files standing in for disks 1, 2, … (an agent's {@code --test-disk}, for tests and benchmarks): each read as a
     * disk of its size with 512-byte sectors, named by its file name.
     */
    public static List<ScannedDisk> scanFiles(List<Path> files) throws IOException {
        List<ScannedDisk> result = new ArrayList<>();
        for (Path f : files) {
            result.add(scan(result.size() + 1, f.getFileName().toString(), f, Files.size(f), 512, ""));
        }
        return result;
    }

    private static ScannedDisk scan(int number, String name, Path device, long size, int sectorSize, String model) {
        try (FileChannel channel = FileChannel.open(device, StandardOpenOption.READ)) {
            BlockDevice disk = new BlockDevice(channel, size, sectorSize);
            PartitionTable table = PartitionTable.read(disk);
            List<ScannedPartition> partitions = new ArrayList<>();
            for (PartitionTable.Entry e : table.entries()) {
                String fs = e.container() ? "" : FileSystemProbe.probe(disk, e.startBytes(), e.sizeBytes());
                partitions.add(new ScannedPartition(e.number(), e.startBytes(), e.sizeBytes(), e.type(), fs));
            }
            return new ScannedDisk(number, name, size, table.kind(), model, partitions, "");
        } catch (DiskFormatException | IOException e) {
            String reason = e instanceof NoSuchFileException
                    ? "no device " + device
                    : e instanceof DiskFormatException ? e.getMessage() : e.toString();
            LOG.log(Level.WARNING, "Disk {0} ({1}) is unreadable: {2}", new Object[]{ number, name, reason });
            return new ScannedDisk(number, name, size, ScannedDisk.UNREADABLE, model, List.of(), reason);
        }
    }

    /** The size in 512-byte sectors, which sysfs uses whatever the disk's own sector size. */
    private static Optional<Long> sectors(Path sys) {
        try {
            return attribute(sys.resolve("size")).map(Long::parseLong).filter(n -> n >= 0 && n < Long.MAX_VALUE / 512);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The logical sector size partition tables count in; 512 when sysfs does not say or says nonsense. */
    private static int sectorSize(Path sys) {
        try {
            int n = attribute(sys.resolve("queue").resolve("logical_block_size")).map(Integer::parseInt).orElse(512);
            return n >= 512 && n <= 65536 && Integer.bitCount(n) == 1 ? n : 512;
        } catch (NumberFormatException e) {
            return 512;
        }
    }

    /** A sysfs attribute, trimmed; empty when absent or unreadable. Attributes are small: read at most 4 KiB. */
    private static Optional<String> attribute(Path file) {
        try (var in = Files.newInputStream(file)) {
            return Optional.of(new String(in.readNBytes(4096), StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
