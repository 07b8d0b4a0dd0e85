package org.opendpm.agent.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * IMG-4 against the real tools: 64 MiB sparse images partitioned by {@code sfdisk} and formatted by
 * {@code mkfs.ext4}, {@code mkfs.vfat} and {@code mkswap}, scanned through a fake sysfs, compared with what
 * {@code sfdisk --json} says about the same files. A missing tool fails the test under CI (CI=true), naming the
 * Debian package, and skips it elsewhere.
 */
public class ImageScanTest {

    private static final long MIB = 1024 * 1024;
    private static final Map<String, String> TOOLS = Map.of("sfdisk", "fdisk", "mkfs.ext4", "e2fsprogs", "mkfs.vfat",
            "dosfstools", "mkswap", "util-linux");

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void toolsAreInstalled() {
        List<String> missing = new ArrayList<>();
        TOOLS.forEach((tool, pkg) -> {
            if (find(tool) == null) {
                missing.add(tool + " (Debian package " + pkg + ")");
            }
        });
        if (missing.isEmpty()) {
            return;
        }
        String message = "ImageScanTest needs " + String.join(", ", missing);
        if ("true".equals(System.getenv("CI"))) {
            fail(message + ": install it (.ci/run does)");
        }
        System.err.println("SKIPPED: " + message + " is not installed");
        Assume.assumeTrue(message, false);
    }

    /** The tool on the PATH or in the sbin folders, which a user's PATH often lacks. */
    private static Path find(String tool) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin"));
        for (String dir : dirs) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static String run(String stdin, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(command));
        cmd.set(0, find(cmd.get(0)).toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    private Path sparse(String name, long bytes) throws IOException {
        Path file = tmp.getRoot().toPath().resolve(name);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.write(java.nio.ByteBuffer.allocate(1), bytes - 1);
        }
        return file;
    }

    /** Formats a file the partition's size with {@code mkfs} and copies it into the image at the partition. */
    private void format(Path image, Part part, String... mkfs) throws Exception {
        Path fs = sparse("fs-" + part.number + "-" + System.nanoTime(), part.size);
        String[] cmd = java.util.Arrays.copyOf(mkfs, mkfs.length + 1);
        cmd[mkfs.length] = fs.toString();
        run(null, cmd);
        try (FileChannel from = FileChannel.open(fs);
                FileChannel to = FileChannel.open(image,
                        StandardOpenOption.WRITE)) {
            long done = 0;
            while (done < part.size) {
                done += from.transferTo(done, part.size - done, to.position(part.start + done));
            }
        }
        Files.delete(fs);
    }

    /** A partition as {@code sfdisk --json} lists it, in bytes. */
    record Part(int number, long start, long size, String type) {
    }

    /** Partitions by number from {@code sfdisk --json}; checks the label. */
    private static Map<Integer, Part> sfdisk(Path image, String label) throws Exception {
        JsonNode t = new ObjectMapper().readTree(run(null, "sfdisk", "--json", image.toString()))
                .get("partitiontable");
        assertThat(t.get("label").asText()).isEqualTo(label);
        long sector = t.get("sectorsize").asLong();
        Map<Integer, Part> parts = new TreeMap<>();
        for (JsonNode p : t.get("partitions")) {
            String node = p.get("node").asText();
            int number = Integer.parseInt(node.substring(image.toString().length()));
            parts.put(number, new Part(number, p.get("start").asLong() * sector, p.get("size").asLong() * sector,
                    p.get("type").asText().toLowerCase(Locale.ROOT)));
        }
        return parts;
    }

    /** The scanned partitions match sfdisk's: numbers, offsets, sizes, types (MBR types as two hex digits). */
    private static void assertSameAsSfdisk(ScannedDisk disk, Map<Integer, Part> expected) {
        assertThat(disk.partitions()).extracting(ScannedPartition::number).containsExactlyElementsOf(expected
                .keySet());
        for (ScannedPartition p : disk.partitions()) {
            Part e = expected.get(p.number());
            assertThat(p.startBytes()).as("start of " + p.number()).isEqualTo(e.start());
            assertThat(p.sizeBytes()).as("size of " + p.number()).isEqualTo(e.size());
            String type = e.type().length() <= 2 ? String.format("%02x", Integer.parseInt(e.type(), 16)) : e.type();
            assertThat(p.type()).as("type of " + p.number()).isEqualTo(type);
        }
    }

    private static Map<Integer, String> filesystems(ScannedDisk disk) {
        Map<Integer, String> fs = new TreeMap<>();
        disk.partitions().forEach(p -> fs.put(p.number(), p.filesystem()));
        return fs;
    }

    /** Primary, extended and logical partitions, with ext4, swap, ext3, FAT16 and an unformatted one. */
    private Path mbrImage() throws Exception {
        Path image = sparse("mbr.img", 64 * MIB);
        run("label: dos\nsize=8MiB, type=83\nsize=4MiB, type=82\ntype=5\nsize=8MiB, type=83\nsize=8MiB, type=6\n"
                + "size=2MiB, type=83\n", "sfdisk", "-q", image.toString());
        Map<Integer, Part> parts = sfdisk(image, "dos");
        format(image, parts.get(1), "mkfs.ext4", "-q", "-F");
        format(image, parts.get(2), "mkswap");
        format(image, parts.get(5), "mkfs.ext4", "-q", "-F", "-t", "ext3");
        format(image, parts.get(6), "mkfs.vfat", "-F", "16", "-s", "1");
        return image;
    }

    /** Slots 1, 2, 3 and 5 used (4 empty): an ESP with FAT32, ext4, swap, ext2 and an unformatted one. */
    private Path gptImage() throws Exception {
        Path image = sparse("gpt.img", 64 * MIB);
        run("label: gpt\n"
                + image + "1 : size=34MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n"
                + image + "2 : size=8MiB, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n"
                + image + "3 : size=4MiB, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F\n"
                + image + "5 : size=8MiB, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n"
                + image + "6 : size=2MiB, type=E6D6D379-F507-44C2-A23C-238F2A3DF928\n",
                "sfdisk", "-q", image.toString());
        Map<Integer, Part> parts = sfdisk(image, "gpt");
        format(image, parts.get(1), "mkfs.vfat", "-F", "32", "-s", "1");
        format(image, parts.get(2), "mkfs.ext4", "-q", "-F");
        format(image, parts.get(3), "mkswap");
        format(image, parts.get(5), "mkfs.ext4", "-q", "-F", "-t", "ext2");
        return image;
    }

    @Test
    public void anMbrDiskWithLogicalPartitionsReadsAsSfdiskSays() throws Exception {
        Path image = mbrImage();
        FakeSysfs fake = new FakeSysfs(tmp.newFolder().toPath()).disk("sda", image, "ST2000DM008-2FR1");
        List<ScannedDisk> disks = fake.scanner().scan();
        assertThat(disks).hasSize(1);
        ScannedDisk d = disks.get(0);
        assertThat(d.number()).isEqualTo(1);
        assertThat(d.device()).isEqualTo("sda");
        assertThat(d.sizeBytes()).isEqualTo(64 * MIB);
        assertThat(d.partitionTable()).isEqualTo("mbr");
        assertThat(d.model()).isEqualTo("ST2000DM008-2FR1");
        assertThat(d.problem()).isEmpty();
        assertSameAsSfdisk(d, sfdisk(image, "dos"));
        assertThat(filesystems(d)).isEqualTo(Map.of(1, "ext4", 2, "swap", 3, "", 5, "ext3", 6, "vfat", 7, ""));
    }

    @Test
    public void aGptDiskReadsAsSfdiskSaysAndFallsBackToItsBackupHeader() throws Exception {
        Path image = gptImage();
        FakeSysfs fake = new FakeSysfs(tmp.newFolder().toPath()).disk("nvme0n1", image, "Samsung SSD 980");
        ScannedDisk d = fake.scanner().scan().get(0);
        assertThat(d.partitionTable()).isEqualTo("gpt");
        assertThat(d.model()).isEqualTo("Samsung SSD 980");
        Map<Integer, Part> expected = sfdisk(image, "gpt");
        assertThat(expected.keySet()).containsExactly(1, 2, 3, 5, 6);
        assertSameAsSfdisk(d, expected);
        assertThat(filesystems(d)).isEqualTo(Map.of(1, "vfat", 2, "ext4", 3, "swap", 5, "ext2", 6, ""));

        // Destroy the primary header (one byte of its disk GUID: its CRC no longer matches): the backup answers.
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[]{ 0x42 }), 512 + 56);
        }
        ScannedDisk fromBackup = new FakeSysfs(tmp.newFolder().toPath()).disk("nvme0n1", image, "Samsung SSD 980")
                .scanner().scan().get(0);
        assertThat(fromBackup).isEqualTo(d);
    }

    /** Numbering by family and name, what is not a disk left out, one unreadable disk reported in its place. */
    /** Files standing in for disks (--test-disk) are numbered in the order given and read like devices. */
    @Test
    public void testDiskFilesAreScannedInTheOrderGiven() throws Exception {
        Path mbr = mbrImage();
        Path gpt = gptImage();
        List<ScannedDisk> disks = LinuxDiskScanner.scanFiles(List.of(gpt, mbr));
        assertThat(disks).extracting(ScannedDisk::number).containsExactly(1, 2);
        assertThat(disks).extracting(ScannedDisk::device).containsExactly(gpt.getFileName().toString(),
                mbr.getFileName().toString());
        assertThat(disks.get(0).partitionTable()).isEqualTo("gpt");
        assertThat(disks.get(1).partitionTable()).isEqualTo("mbr");
        assertThat(disks.get(1).sizeBytes()).isEqualTo(64 * MIB);
        assertSameAsSfdisk(disks.get(0), sfdisk(gpt, "gpt"));
    }

    @Test
    public void severalDisksAreNumberedInNameOrderAndAnUnreadableOneKeepsItsPlace() throws Exception {
        Path mbr = mbrImage();
        Path gpt = gptImage();
        Path blank = sparse("blank.img", 16 * MIB);
        Path cut = tmp.getRoot().toPath().resolve("cut.img");
        Files.copy(gpt, cut);
        try (FileChannel ch = FileChannel.open(cut, StandardOpenOption.WRITE)) {
            ch.truncate(MIB + 8192); // the first partition's superblock window is cut off
        }
        FakeSysfs fake = new FakeSysfs(tmp.newFolder().toPath())
                .disk("sdb", mbr, "DISK B")
                .disk("nvme0n1", gpt, "NVME")
                .disk("sda", gpt, "DISK A")
                .disk("vda", blank, null)
                .disk("sdaa", cut, 64 * MIB, "CUT", false)
                .disk("sdc", mbr, 64 * MIB, "USB STICK", true)
                .disk("loop0", mbr, "")
                .disk("sr0", blank, "DVD")
                .disk("dm-0", gpt, "")
                .disk("md127", gpt, "");
        List<ScannedDisk> disks = fake.scanner().scan();
        assertThat(disks).extracting(ScannedDisk::device).containsExactly("sda", "sdb", "sdaa", "vda", "nvme0n1");
        assertThat(disks).extracting(ScannedDisk::number).containsExactly(1, 2, 3, 4, 5);
        assertThat(disks).extracting(ScannedDisk::partitionTable).containsExactly("gpt", "mbr", "unreadable", "none",
                "gpt");
        assertThat(disks.get(2).problem()).isEqualTo("the device ends at byte " + (MIB + 8192)
                + " although its size is " + 64 * MIB + " bytes");
        assertThat(disks.get(2).model()).isEqualTo("CUT");
        assertThat(disks.get(3).model()).isEmpty();
        assertThat(disks.get(3).sizeBytes()).isEqualTo(16 * MIB);
    }
}
