package org.opendpm.scheduler.internal.images.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A whole-disk image of a GPT disk restored onto a larger disk gets its backup GPT moved to the new end, checked by
 * {@code sfdisk --verify} (util-linux, Debian package fdisk) on real disk files. A missing sfdisk fails the test under
 * CI (CI=true) and skips it elsewhere.
 */
public class GptRelocationTest {

    private static final int SECTOR = 512;
    private static final long MIB = 1024 * 1024;
    private static Path sfdisk;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void sfdiskIsInstalled() {
        requireSfdisk();
    }

    /** Finds sfdisk; without it fails under CI and skips the calling test elsewhere. */
    static void requireSfdisk() {
        if (sfdisk != null) {
            return;
        }
        for (String dir : new String[]{ "/usr/sbin", "/sbin", "/usr/bin", "/bin" }) {
            Path p = Path.of(dir, "sfdisk");
            if (Files.isExecutable(p)) {
                sfdisk = p;
                return;
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("GptRelocationTest needs sfdisk (Debian package fdisk): install it (.ci/run does)");
        }
        System.err.println("SKIPPED: GptRelocationTest needs sfdisk (Debian package fdisk), which is not installed");
        Assume.assumeTrue(false);
    }

    static String sfdisk(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(sfdisk.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private Path gptDisk(long size) throws Exception {
        return gptDisk(tmp.newFile().toPath(), size);
    }

    /** {@code disk} made a GPT disk of {@code size} bytes with two partitions by sfdisk. */
    static Path gptDisk(Path disk, long size) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(size);
        }
        sfdisk("label: gpt\n,2MiB\n,\n", "-q", disk.toString());
        return disk;
    }

    /** The disk's head as a backup keeps it: everything before the first partition. */
    private static byte[] head(Path disk) throws IOException {
        return Arrays.copyOf(Files.readAllBytes(disk), (int) MIB);
    }

    /** The old disk's bytes on a larger disk, as a whole-disk restore leaves them. */
    private Path restoredOnto(Path disk, long size) throws IOException {
        Path larger = tmp.newFile().toPath();
        Files.copy(disk, larger, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (RandomAccessFile f = new RandomAccessFile(larger.toFile(), "rw")) {
            f.setLength(size);
        }
        return larger;
    }

    private static void write(Path disk, GptRelocation.Areas areas) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.seek(0);
            f.write(areas.head());
            f.seek(areas.tailOffset());
            f.write(areas.tail());
        }
    }

    @Test
    public void theBackupGptMovesToTheEndOfTheLargerDiskAndSfdiskFindsNoError() throws Exception {
        Path small = gptDisk(8 * MIB);
        String before = sfdisk(null, "-d", small.toString());
        Path larger = restoredOnto(small, 12 * MIB);
        assertThat(sfdisk(null, "--verify", larger.toString())).as("the restore alone leaves the table damaged")
                .contains("The backup GPT table is not on the end of the device", "error detected");

        GptRelocation.Areas areas = GptRelocation.relocate(head(small), SECTOR, 8 * MIB, 12 * MIB).orElseThrow();
        assertThat(areas.head()).hasSize(2 * SECTOR);
        assertThat(areas.tailOffset()).isEqualTo(12 * MIB - 33 * SECTOR);
        assertThat(areas.tail()).hasSize(33 * SECTOR);
        write(larger, areas);

        String verify = sfdisk(null, "--verify", larger.toString());
        assertThat(verify).contains("No errors detected").doesNotContain("mismatch", "not on the end");
        String after = sfdisk(null, "-d", larger.toString());
        assertThat(after).contains("last-lba: " + (12 * MIB / SECTOR - 34));
        // The partitions, their ids and the disk's id are as they were.
        assertThat(partitions(after)).isEqualTo(partitions(before));
        assertThat(line(after, "label-id")).isEqualTo(line(before, "label-id"));
    }

    private static List<String> partitions(String dump) {
        return dump.lines().filter(l -> l.contains("start=")).map(l -> l.substring(l.indexOf(':'))).toList();
    }

    private static String line(String dump, String key) {
        return dump.lines().filter(l -> l.startsWith(key)).findFirst().orElseThrow();
    }

    @Test
    public void anMbrDiskNeedsNothing() throws Exception {
        Path disk = tmp.newFile().toPath();
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(8 * MIB);
        }
        sfdisk("label: dos\n,2MiB\n", "-q", disk.toString());
        assertThat(GptRelocation.relocate(head(disk), SECTOR, 8 * MIB, 12 * MIB)).isEmpty();
    }

    @Test
    public void aDamagedOrImpossibleTableIsRefusedNamingWhy() throws Exception {
        byte[] head = head(gptDisk(8 * MIB));
        assertThatThrownBy(() -> GptRelocation.relocate(head, SECTOR, 8 * MIB, 8 * MIB))
                .hasMessageContaining("is not a larger multiple");

        byte[] badEntries = head.clone();
        badEntries[2 * SECTOR + 40] ^= 1;
        assertThatThrownBy(() -> GptRelocation.relocate(badEntries, SECTOR, 8 * MIB, 12 * MIB))
                .hasMessage("the GPT entries fail their CRC-32");

        byte[] hugeHeader = head.clone();
        hugeHeader[SECTOR + 13] = 0x7f;
        assertThatThrownBy(() -> GptRelocation.relocate(hugeHeader, SECTOR, 8 * MIB, 12 * MIB))
                .hasMessageStartingWith("GPT header size");

        byte[] manyEntries = head.clone();
        manyEntries[SECTOR + 82] = 0x10; // 2^20 entries
        assertThatThrownBy(() -> GptRelocation.relocate(manyEntries, SECTOR, 8 * MIB, 12 * MIB))
                .hasMessageStartingWith("GPT entries: 1048704 of 128 bytes");

        byte[] shortHead = Arrays.copyOf(head, 4 * SECTOR);
        assertThatThrownBy(() -> GptRelocation.relocate(shortHead, SECTOR, 8 * MIB, 12 * MIB))
                .hasMessageContaining("lie outside the 2048 bytes");
    }
}
