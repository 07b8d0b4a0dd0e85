package org.opendpm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.image.ImageHeader.Disk;
import org.opendpm.image.ImageHeader.Extent;
import org.opendpm.image.ImageHeader.Partition;
import org.opendpm.image.ImageHeader.SourceMachine;
import org.opendpm.image.ImageReader.RestoreOptions;

/** IMG-1, IMG-3, IMG-5: an image written and read back, whole disk and partitions, byte-exact. */
public class ImageRoundTripTest {
    private static final int CHUNK = TestImages.CHUNK;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void wholeDiskRestoresByteExactWithHolesSkippedOrWritten() throws IOException {
        byte[] source = TestImages.source(40 * CHUNK + 777, 1);
        ImageHeader header = ImageHeader.wholeDisk(source.length, CHUNK);
        Path image = tmp.getRoot().toPath().resolve("disk.img");
        ImageWriter.Summary s = TestImages.write(image, header, source);

        assertThat(s.chunks()).isEqualTo(41);
        assertThat(s.holes()).as("a whole zero chunk in every 4").isGreaterThanOrEqualTo(9);
        assertThat(s.imageBytes()).isEqualTo(Files.size(image)).isLessThan(source.length);

        try (ImageReader r = ImageReader.open(image)) {
            assertThat(r.header()).isEqualTo(header);
            assertThat(r.chunkCount()).isEqualTo(41);
            for (long n = 0; n < r.chunkCount(); n++) {
                ChunkEntry e = r.entry(n);
                assertThat(e.diskOffset()).isEqualTo(n * CHUNK);
                byte[] expected = Arrays.copyOfRange(source, (int) e.diskOffset(),
                        (int) e.diskOffset() + e.length());
                assertThat(r.readChunk(n)).isEqualTo(expected);
            }
            for (boolean zeroed : new boolean[]{ true, false }) {
                Path disk = tmp.newFile().toPath();
                if (!zeroed) {
                    byte[] junk = new byte[source.length];
                    Arrays.fill(junk, (byte) 0x5A);
                    Files.write(disk, junk);
                }
                try (FileChannel out = FileChannel.open(disk, StandardOpenOption.WRITE)) {
                    ImageReader.RestoreSummary rs = r.restore(RestoreTarget.of(out),
                            new RestoreOptions(zeroed, 2, ProgressListener.NONE));
                    assertThat(rs.holesSkipped()).isEqualTo(zeroed ? s.holes() : 0);
                }
                byte[] restored = Files.readAllBytes(disk);
                assertThat(restored.length).isEqualTo(zeroed ? lastNonZero(source) + 1 : source.length);
                assertThat(Arrays.copyOf(restored, source.length)).isEqualTo(source);
            }
        }
    }

    private static int lastNonZero(byte[] b) {
        int i = b.length - 1;
        while (b[i] == 0) {
            i--;
        }
        return i;
    }

    @Test
    public void partitionImageRestoresEachPartitionAtItsOffsetAndNothingElse() throws IOException {
        int diskSize = 64 * CHUNK;
        byte[] disk = TestImages.source(diskSize, 2);
        byte[] table = Arrays.copyOf(disk, 1024);
        Partition p1 = new Partition(1, 2 * CHUNK + 512, 10 * CHUNK + 100, "0fc63daf-8483-4772-8e79-3d69d8477de4");
        Partition p2 = new Partition(2, 40 * CHUNK, 5 * CHUNK, "83");
        ImageHeader header = new ImageHeader(UUID.randomUUID(), CHUNK, Instant.ofEpochMilli(1_700_000_000_123L),
                "opendpm-deployos-1", "PowerEdge R650", new SourceMachine("web-01", "52:54:00:12:34:56",
                        "4c4c4544-0051-3010-8052-b4c04f4e4e32"),
                List.of(new Disk(1, diskSize, 512, table, List.of(p1, p2))),
                List.of(new Extent(1, p1.offset(), p1.length()), new Extent(1, p2.offset(), p2.length())));
        ByteArrayOutputStream parts = new ByteArrayOutputStream();
        parts.write(disk, (int) p1.offset(), (int) p1.length());
        parts.write(disk, (int) p2.offset(), (int) p2.length());
        Path image = tmp.getRoot().toPath().resolve("parts.img");
        // Fed through a channel in the order of the extents, as the agent reads partitions.
        try (FileChannel out = FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                ImageWriter w = ImageWriter.create(out, header, ImageWriter.Options.DEFAULT.withThreads(3))) {
            w.transferFrom(Channels.newChannel(new java.io.ByteArrayInputStream(parts.toByteArray())));
            assertThat(w.remaining()).isZero();
            assertThat(w.finish().chunks()).isEqualTo(11 + 5);
        }

        Path target = tmp.newFile().toPath();
        byte[] before = new byte[diskSize];
        Arrays.fill(before, (byte) 0x11);
        Files.write(target, before);
        List<Long> progress = new ArrayList<>();
        try (ImageReader r = ImageReader.open(image);
                FileChannel out = FileChannel.open(target,
                        StandardOpenOption.WRITE)) {
            assertThat(r.header()).isEqualTo(header);
            assertThat(r.header().disks().get(0).partitionTable()).isEqualTo(table);
            assertThat(r.entry(11).diskOffset()).as("first chunk of the second extent").isEqualTo(p2.offset());
            assertThat(r.entry(10).length()).as("last, short chunk of the first extent").isEqualTo(100);
            r.restore(RestoreTarget.of(out), new RestoreOptions(false, 2, (done, total) -> progress.add(done)));
        }
        byte[] after = Files.readAllBytes(target);
        for (int i = 0; i < diskSize; i++) {
            boolean inside = (i >= p1.offset() && i < p1.offset() + p1.length())
                    || (i >= p2.offset() && i < p2.offset() + p2.length());
            if ((inside ? disk[i] : 0x11) != after[i]) {
                throw new AssertionError("byte " + i + (inside ? " inside" : " outside") + " the partitions");
            }
        }
        assertThat(progress).isSorted().hasSize(16).last().isEqualTo(p1.length() + p2.length());

        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        try (ImageReader r = ImageReader.open(image)) {
            r.restore(RestoreTarget.stream(Channels.newChannel(stream)), new RestoreOptions(true, 1,
                    ProgressListener.NONE));
        }
        assertThat(stream.toByteArray()).as("a stream gets the partitions' bytes, holes as zeros")
                .isEqualTo(parts.toByteArray());
    }

    @Test
    public void feedingInPiecesOrThroughAChannelWritesTheSameImage() throws IOException {
        byte[] source = TestImages.source(9 * CHUNK + 5, 3);
        ImageHeader header = ImageHeader.wholeDisk(source.length, CHUNK);
        Path a = tmp.getRoot().toPath().resolve("a.img");
        TestImages.write(a, header, source);
        Path b = tmp.getRoot().toPath().resolve("b.img");
        try (FileChannel out = FileChannel.open(b, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                ImageWriter w = ImageWriter.create(out, header, ImageWriter.Options.DEFAULT.withThreads(1))) {
            for (int at = 0; at < source.length; at += 1000) {
                w.write(ByteBuffer.wrap(source, at, Math.min(1000, source.length - at)));
            }
            w.finish();
        }
        assertThat(Files.readAllBytes(b)).isEqualTo(Files.readAllBytes(a));
    }

    @Test
    public void writerReportsProgressAfterEachChunk() throws IOException {
        byte[] source = TestImages.source(5 * CHUNK + 10, 6);
        List<long[]> seen = new ArrayList<>();
        try (ImageWriter w = ImageWriter.create(Channels.newChannel(new ByteArrayOutputStream()),
                ImageHeader.wholeDisk(source.length, CHUNK), ImageWriter.Options.DEFAULT.withProgress(
                        (done, total) -> seen.add(new long[]{ done, total })))) {
            w.write(ByteBuffer.wrap(source));
            w.finish();
        }
        assertThat(seen).extracting(p -> p[0]).containsExactly((long) CHUNK, 2L * CHUNK, 3L * CHUNK, 4L * CHUNK,
                5L * CHUNK, (long) source.length);
        assertThat(seen).extracting(p -> p[1]).containsOnly((long) source.length);
    }

    @Test
    public void imageRecordsTheDeployOsAndModelItWasTakenWith() throws IOException {
        // IMG-5: a restore compares these with the target machine's.
        ImageHeader header = new ImageHeader(UUID.randomUUID(), CHUNK, Instant.now(), "vmware-esxi-deployos",
                "ThinkSystem SR630 V2", new SourceMachine("db-02", "52:54:00:aa:bb:cc", ""),
                List.of(new Disk(1, CHUNK, 4096, new byte[0], List.of())), List.of(new Extent(1, 0, CHUNK)));
        Path image = tmp.getRoot().toPath().resolve("meta.img");
        TestImages.write(image, header, new byte[CHUNK]);
        try (ImageReader r = ImageReader.open(image)) {
            assertThat(r.header().deployOsId()).isEqualTo("vmware-esxi-deployos");
            assertThat(r.header().machineModel()).isEqualTo("ThinkSystem SR630 V2");
            assertThat(r.header().source().name()).isEqualTo("db-02");
            assertThat(r.entry(0).hole()).isTrue();
            assertThat(r.readChunk(0)).isEqualTo(new byte[CHUNK]);
        }
    }

    @Test
    public void aSourceShorterThanTheExtentsLeavesNoTrailer() throws IOException {
        ImageHeader header = ImageHeader.wholeDisk(4 * CHUNK, CHUNK);
        Path image = tmp.getRoot().toPath().resolve("short.img");
        try (FileChannel out = FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                ImageWriter w = ImageWriter.create(out, header, ImageWriter.Options.DEFAULT)) {
            w.write(ByteBuffer.wrap(TestImages.source(3 * CHUNK, 4)));
            assertThatThrownBy(w::finish).hasMessage("the source ended after " + 3 * CHUNK + " of " + 4 * CHUNK
                    + " bytes");
        }
        assertThatThrownBy(() -> ImageReader.open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    public void aSourceLongerThanTheExtentsIsRefused() throws IOException {
        ImageHeader header = ImageHeader.wholeDisk(CHUNK, CHUNK);
        try (ImageWriter w = ImageWriter.create(Channels.newChannel(new ByteArrayOutputStream()), header,
                ImageWriter.Options.DEFAULT)) {
            assertThatThrownBy(() -> w.write(ByteBuffer.allocate(CHUNK + 1)))
                    .hasMessageContaining("more bytes than the header's extents");
        }
    }

    @Test
    public void headerBoundsAreEnforcedOnWritingToo() {
        assertThatThrownBy(() -> ImageHeader.wholeDisk(CHUNK, 3 * CHUNK)).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("not a power of two");
        assertThatThrownBy(() -> new ImageHeader(UUID.randomUUID(), CHUNK, Instant.now(), "", "",
                new SourceMachine("", "", ""), List.of(new Disk(1, CHUNK, 512, new byte[0], List.of())),
                List.of(new Extent(1, 10, CHUNK)))).hasMessageContaining("lies outside disk 1");
    }
}
