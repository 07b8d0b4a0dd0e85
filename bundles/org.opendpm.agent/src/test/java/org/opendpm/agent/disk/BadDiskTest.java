package org.opendpm.agent.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * IMG-4: broken partition tables made by hand. Each is reported on its disk as unreadable with the reason, quickly
 * and without allocating what the bytes ask for; a corrupt primary GPT falls back to the backup.
 */
public class BadDiskTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** 2 MiB: room for a GPT with two partitions. */
    private static final long SECTORS = 4096;
    private static final long[] P1 = { 2048, 2559 };
    private static final long[] P2 = { 2560, 3071 };

    /** The disk as sysfs reports it: {@link #SECTORS} long, whatever the hand-made writes did to the file. */
    private ScannedDisk scanOne(Path image) throws IOException {
        return scanOne(image, SECTORS * 512);
    }

    private ScannedDisk scanOne(Path image, long reportedSize) throws IOException {
        FakeSysfs fake = new FakeSysfs(tmp.newFolder().toPath());
        fake.disk("sda", image, reportedSize, "HAND MADE", false);
        List<ScannedDisk> disks = fake.scanner().scan();
        assertThat(disks).hasSize(1);
        return disks.get(0);
    }

    private static void assertUnreadable(ScannedDisk d, String... reasons) {
        assertThat(d.partitionTable()).isEqualTo(ScannedDisk.UNREADABLE);
        assertThat(d.partitions()).isEmpty();
        assertThat(d.problem()).contains(reasons);
        assertThat(d.number()).isEqualTo(1);
        assertThat(d.model()).isEqualTo("HAND MADE");
    }

    private Path gpt(java.util.function.Consumer<HandMadeDisk.Gpt> breakPrimary,
            java.util.function.Consumer<HandMadeDisk.Gpt> breakBackup) throws IOException {
        Path file = tmp.newFile().toPath();
        try (HandMadeDisk d = new HandMadeDisk(file, SECTORS)) {
            HandMadeDisk.Gpt primary = d.primary(P1, P2);
            HandMadeDisk.Gpt backup = d.backup(P1, P2);
            breakPrimary.accept(primary);
            breakBackup.accept(backup);
            d.gpt(primary, backup);
        }
        return file;
    }

    private static void assertBothPartitions(ScannedDisk d) {
        assertThat(d.partitionTable()).isEqualTo(ScannedDisk.GPT);
        assertThat(d.problem()).isEmpty();
        assertThat(d.partitions()).containsExactly(
                new ScannedPartition(1, 2048 * 512L, 512 * 512L, "0fc63daf-8483-4772-8e79-3d69d8477de4", ""),
                new ScannedPartition(2, 2560 * 512L, 512 * 512L, "0fc63daf-8483-4772-8e79-3d69d8477de4", ""));
    }

    @Test
    public void aHandMadeGptIsReadAsWritten() throws IOException {
        assertBothPartitions(scanOne(gpt(g -> {
        }, g -> {
        })));
    }

    @Test
    public void aWrongHeaderCrcFallsBackToTheBackupHeader() throws IOException {
        assertBothPartitions(scanOne(gpt(g -> g.breakHeaderCrc = true, g -> {
        })));
    }

    @Test
    public void aWrongEntryArrayCrcFallsBackToTheBackupHeader() throws IOException {
        assertBothPartitions(scanOne(gpt(g -> g.breakArrayCrc = true, g -> {
        })));
    }

    @Test
    public void bothHeadersWrongNamesBothReasons() throws IOException {
        assertUnreadable(scanOne(gpt(g -> g.breakHeaderCrc = true, g -> g.breakArrayCrc = true)),
                "primary GPT header: header CRC32 is wrong", "backup GPT header: entry array CRC32 is wrong");
    }

    @Test
    public void anEntryCountOf2To31IsRefusedBeforeAnythingIsAllocated() throws IOException {
        long start = System.nanoTime();
        ScannedDisk d = scanOne(gpt(g -> g.count = 1L << 31, g -> g.count = 1L << 31));
        assertUnreadable(d, "entry count 2147483648 is above 1024");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
        // With a sane backup the disk is read from it.
        assertBothPartitions(scanOne(gpt(g -> g.count = 1L << 31, g -> {
        })));
    }

    @Test
    public void entrySizesOf0And7And1MiBAreRefused() throws IOException {
        for (long size : new long[]{ 0, 7, 1024 * 1024 }) {
            assertUnreadable(scanOne(gpt(g -> g.entrySize = size, g -> g.entrySize = size)),
                    "entry size " + size + " is not a multiple of 8 between 128 and 4096");
        }
        assertUnreadable(scanOne(gpt(g -> g.entrySize = 136 * 8 + 4, g -> g.entrySize = 1092)),
                "entry size 1092");
    }

    @Test
    public void headerFieldsPointingOffTheDiskAreRefused() throws IOException {
        assertUnreadable(scanOne(gpt(g -> g.entriesLba = SECTORS - 2, g -> g.entriesLba = SECTORS + 10)),
                "primary GPT header: entry array at LBA 4094 (16384 bytes) does not fit the disk",
                "backup GPT header: entry array at LBA 4106");
        assertUnreadable(scanOne(gpt(g -> g.headerSize = 600, g -> g.lastUsable = SECTORS + 5)),
                "header size 600 is not between 92 and 512", "usable LBAs 34 to 4101 do not fit");
        assertUnreadable(scanOne(gpt(g -> g.myLba = 7, g -> g.myLba = 1)), "header says it is at LBA 7, not 1",
                "header says it is at LBA 1, not 4095");
    }

    @Test
    public void aGptPartitionPastTheDiskEndIsAnError() throws IOException {
        long[] past = { 2048, SECTORS + 100 };
        Path file = tmp.newFile().toPath();
        try (HandMadeDisk d = new HandMadeDisk(file, SECTORS)) {
            d.gpt(d.primary(P1, past), d.backup(P1, past));
        }
        assertUnreadable(scanOne(file), "partition 2 (LBA 2048 to 4196) does not lie on the disk's 4096 sectors");
    }

    @Test
    public void anMbrPartitionPastTheDiskEndIsAnError() throws IOException {
        Path file = tmp.newFile().toPath();
        try (HandMadeDisk d = new HandMadeDisk(file, SECTORS)) {
            d.mbr(0, new long[]{ 0x83, 2048, 1024 }, new long[]{ 0x83, 3072, 2000 });
        }
        assertUnreadable(scanOne(file), "partition 2 (bytes 1572864 to 2596864) ends past the disk end (2097152"
                + " bytes)");
    }

    @Test
    public void anExtendedChainThatLoopsIsAnErrorNotAHang() throws IOException {
        Path file = tmp.newFile().toPath();
        try (HandMadeDisk d = new HandMadeDisk(file, SECTORS)) {
            d.mbr(0, new long[]{ 0x83, 64, 64 }, new long[]{ 0x05, 1024, 2048 });
            // First EBR: a logical partition, then a link to the second EBR 512 sectors on.
            d.mbr(1024, new long[]{ 0x83, 1, 100 }, new long[]{ 0x05, 512, 200 });
            // Second EBR links back to the first (offset 0 in the extended partition).
            d.mbr(1536, new long[]{ 0x83, 1, 100 }, new long[]{ 0x05, 0, 200 });
        }
        assertUnreadable(scanOne(file), "the extended partition's chain loops back to byte 524288");
    }

    @Test
    public void moreThan128LogicalPartitionsIsAnError() throws IOException {
        Path file = tmp.newFile().toPath();
        try (HandMadeDisk d = new HandMadeDisk(file, SECTORS)) {
            d.mbr(0, new long[]{ 0x05, 16, 4000 });
            for (int i = 0; i < 130; i++) {
                d.mbr(16 + i * 4, new long[]{ 0x83, 1, 2 }, new long[]{ 0x05, (i + 1) * 4, 4 });
            }
        }
        assertUnreadable(scanOne(file), "chains more than 128 logical partitions");
    }

    @Test
    public void exactly128LogicalPartitionsAreRead() throws IOException {
        Path file = tmp.newFile().toPath();
        try (HandMadeDisk d = new HandMadeDisk(file, SECTORS)) {
            d.mbr(0, new long[]{ 0x05, 16, 4000 });
            for (int i = 0; i < 128; i++) {
                long[] link = i == 127 ? new long[]{ 0, 0, 0 } : new long[]{ 0x05, (i + 1) * 4, 4 };
                d.mbr(16 + i * 4, new long[]{ 0x83, 1, 2 }, link);
            }
        }
        ScannedDisk disk = scanOne(file);
        assertThat(disk.partitionTable()).isEqualTo(ScannedDisk.MBR);
        List<Integer> numbers = new ArrayList<>();
        disk.partitions().forEach(p -> numbers.add(p.number()));
        assertThat(numbers).hasSize(129).startsWith(1, 5, 6).endsWith(132);
        assertThat(disk.partitions().get(1)).isEqualTo(new ScannedPartition(5, 17 * 512L, 1024, "83", ""));
    }

    @Test
    public void anEbrLinkOutsideTheExtendedPartitionIsAnError() throws IOException {
        Path file = tmp.newFile().toPath();
        try (HandMadeDisk d = new HandMadeDisk(file, SECTORS)) {
            d.mbr(0, new long[]{ 0x05, 1024, 1024 });
            d.mbr(1024, new long[]{ 0x83, 1, 100 }, new long[]{ 0x05, 5000, 10 });
        }
        assertUnreadable(scanOne(file), "links to byte 3084288, outside its extended partition");
    }

    @Test
    public void aTruncatedDeviceIsReportedWithWhereItEnds() throws IOException {
        Path file = tmp.newFile().toPath();
        try (HandMadeDisk d = new HandMadeDisk(file, SECTORS)) {
            d.gpt(d.primary(P1, P2), d.backup(P1, P2));
        }
        // The device claims 2 MiB; the image ends after 1 MiB + 4 KiB, in the middle of partition 1's superblock
        // window, and the backup header is gone.
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(2048 * 512 + 4096);
        }
        assertUnreadable(scanOne(file, SECTORS * 512), "the device ends at byte 1052672 although its size is 2097152"
                + " bytes");
        // Cut inside sector 0: no table can be read at all.
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(100);
        }
        assertUnreadable(scanOne(file, SECTORS * 512), "the device ends at byte 100");
    }

    @Test
    public void bootCodeWithoutATableIsNoTableAndAnEmptyDiskNeither() throws IOException {
        Path file = tmp.newFile().toPath();
        try (HandMadeDisk d = new HandMadeDisk(file, SECTORS)) {
            d.mbr(0, new long[]{ 0x83, 2048, 1024 });
            d.write(446, new byte[]{ 0x12 }); // boot indicator neither 00 nor 80: boot code, not a table
        }
        ScannedDisk code = scanOne(file);
        assertThat(code.partitionTable()).isEqualTo(ScannedDisk.NONE);
        assertThat(code.partitions()).isEmpty();
        Path empty = tmp.newFile().toPath();
        new HandMadeDisk(empty, SECTORS).close();
        assertThat(scanOne(empty).partitionTable()).isEqualTo(ScannedDisk.NONE);
    }
}
