package org.opendpm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** IMG-1, IMG-2: manifests sharing chunks in the chunk store, deleting, sweeping, and reading both formats. */
public class ChunkStoreTest {
    private static final int CHUNK = ImageHeader.MIN_CHUNK_SIZE;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** Writes a manifest as the image folder does: a temporary file, forced, renamed; then the writing closes. */
    static ImageWriter.Summary writeManifest(ChunkStore store, String name, ImageHeader header, byte[] source)
            throws IOException {
        Path folder = store.folder();
        Path temp = Files.createTempFile(folder, "." + name + ".", ".partial");
        try (ChunkStore.Writing chunks = store.begin()) {
            ImageWriter.Summary s;
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE);
                    ImageWriter w = ImageWriter.create(out, header, ImageWriter.Options.DEFAULT, chunks)) {
                w.write(ByteBuffer.wrap(source));
                s = w.finish();
                out.force(true);
            }
            Files.move(temp, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            return s;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    static long storeBytes(Path folder) throws IOException {
        Path chunks = folder.resolve(".chunks");
        if (!Files.isDirectory(chunks)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(chunks)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    static byte[] restore(Path image) throws IOException {
        try (ImageReader r = ImageReader.open(image)) {
            byte[] out = new byte[(int) r.header().totalBytes()];
            r.restore((disk, offset, data) -> data.get(out, (int) offset, data.remaining()),
                    ImageReader.RestoreOptions.DEFAULT);
            return out;
        }
    }

    static Verifier.Report verify(Path image) throws IOException {
        try (ImageReader r = ImageReader.open(image)) {
            return Verifier.verify(r);
        }
    }

    /** Random bytes, as compressed files are: the worst case for the store's growth. */
    static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private Path folder() {
        return tmp.getRoot().toPath();
    }

    @Test
    public void aSecondImageAddsOnlyItsNewChunksAndOutlivesTheFirst() throws IOException {
        ChunkStore store = ChunkStore.in(folder());
        byte[] first = random(40 * CHUNK, 1);
        java.util.Arrays.fill(first, 10 * CHUNK, 13 * CHUNK, (byte) 0);
        ImageHeader header = ImageHeader.wholeDisk(first.length, CHUNK);
        writeManifest(store, "first", header, first);
        long afterFirst = storeBytes(folder());

        byte[] second = first.clone();
        byte[] changed = random(CHUNK, 2);
        System.arraycopy(changed, 0, second, 3 * CHUNK, CHUNK);
        System.arraycopy(changed, 0, second, 17 * CHUNK + 100, 50);
        ImageWriter.Summary s = writeManifest(store, "second", ImageHeader.wholeDisk(second.length, CHUNK), second);

        long added = storeBytes(folder()) - afterFirst;
        try (ImageReader r = ImageReader.open(folder().resolve("second"))) {
            assertThat(r.manifest()).isTrue();
            assertThat(r.formatVersion()).isEqualTo("2.0");
            assertThat(added).isEqualTo(r.entry(3).storedLength() + r.entry(17).storedLength());
        }
        assertThat(Files.size(folder().resolve("second"))).isEqualTo(s.imageBytes()).isLessThan(40 * 72 + 1024);

        Files.delete(folder().resolve("first"));
        ChunkStore.SweepReport sweep = store.sweep();
        assertThat(sweep.manifests()).isEqualTo(1);
        assertThat(sweep.removed()).isEqualTo(2);
        assertThat(verify(folder().resolve("second")).ok()).isTrue();
        assertThat(restore(folder().resolve("second"))).isEqualTo(second);

        Files.delete(folder().resolve("second"));
        assertThat(store.sweep().kept()).isZero();
        assertThat(storeBytes(folder())).isZero();
    }

    /**
     * The figure: the backup of a second machine made from the first (the same image restored, then a few
     * files changed) adds at most 5 % of the first image's bytes. A 64 MiB disk of 48 MiB of files (random bytes,
     * the worst case: compressed files) and free space, 64 KiB chunks (a real disk is hundreds of times larger than
     * this one and its chunks 4 MiB; the chunk size shrinks with the disk so the ratio of a change to a chunk stays
     * real), three files of 512 KiB rewritten at file-system blocks that do not fall on chunk boundaries.
     */
    @Test
    public void aSecondMachineFromTheFirstAddsAtMostFivePercent() throws IOException {
        ChunkStore store = ChunkStore.in(folder());
        byte[] disk = new byte[64 << 20];
        byte[] files = random(48 << 20, 3);
        System.arraycopy(files, 0, disk, 0, files.length);
        ImageHeader header = ImageHeader.wholeDisk(disk.length, CHUNK);
        writeManifest(store, "pc1", header, disk);
        long firstBytes = storeBytes(folder());

        byte[] second = disk.clone();
        for (int i = 0; i < 3; i++) {
            byte[] file = random(512 << 10, 10 + i);
            System.arraycopy(file, 0, second, (5 + 14 * i) * (1 << 20) + 4096 * (3 + i), file.length);
        }
        writeManifest(store, "pc2", ImageHeader.wholeDisk(second.length, CHUNK), second);
        long added = storeBytes(folder()) - firstBytes;

        System.out.printf("dedup: first image %d stored bytes, the second added %d (%.2f %%)%n", firstBytes, added,
                100.0 * added / firstBytes);
        assertThat(added).isPositive().isLessThanOrEqualTo(firstBytes / 20);

        Files.delete(folder().resolve("pc1"));
        store.sweep();
        assertThat(verify(folder().resolve("pc2")).ok()).isTrue();
        assertThat(restore(folder().resolve("pc2"))).isEqualTo(second);
    }

    @Test
    public void aCrashBetweenChunksAndManifestLeavesOnlyUnreferencedChunksForTheSweep() throws IOException {
        byte[] kept = TestImages.source(12 * CHUNK, 4);
        writeManifest(ChunkStore.in(folder()), "kept", ImageHeader.wholeDisk(kept.length, CHUNK), kept);
        long before = storeBytes(folder());

        // The crashed server: chunks written, a half-written chunk, a temporary manifest, never renamed.
        ChunkStore crashed = ChunkStore.in(folder());
        byte[] lost = random(6 * CHUNK, 5);
        ChunkStore.Writing w = crashed.begin();
        Path temp = Files.createTempFile(folder(), ".lost.", ".partial");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE);
                ImageWriter iw = ImageWriter.create(out, ImageHeader.wholeDisk(lost.length, CHUNK),
                        ImageWriter.Options.DEFAULT, w)) {
            iw.write(ByteBuffer.wrap(lost));
            iw.finish();
        }
        Path half = Files.createTempFile(Files.createDirectories(folder().resolve(".chunks").resolve("00")),
                ".00ab.", ".partial");
        Files.write(half, new byte[100]);
        assertThat(storeBytes(folder())).isGreaterThan(before + 5 * CHUNK);

        // The restarted server's store knows nothing of that writing.
        ChunkStore restarted = ChunkStore.in(folder());
        ChunkStore.SweepReport r = restarted.sweep();
        assertThat(r.removed()).isEqualTo(6);
        assertThat(r.partialsRemoved()).isEqualTo(1);
        assertThat(storeBytes(folder())).isEqualTo(before);
        assertThat(verify(folder().resolve("kept")).ok()).isTrue();
        assertThat(restore(folder().resolve("kept"))).isEqualTo(kept);
    }

    @Test
    public void aSweepKeepsTheChunksOfAWritingInProgress() throws IOException {
        ChunkStore store = ChunkStore.in(folder());
        byte[] source = random(4 * CHUNK, 6);
        writeManifest(store, "old", ImageHeader.wholeDisk(source.length, CHUNK), source);
        Path temp = Files.createTempFile(folder(), ".new.", ".partial");
        try (ChunkStore.Writing w = store.begin();
                FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE);
                ImageWriter iw = ImageWriter.create(out, ImageHeader.wholeDisk(source.length, CHUNK),
                        ImageWriter.Options.DEFAULT, w)) {
            iw.write(ByteBuffer.wrap(source));
            iw.finish();
            assertThat(w.sharedChunks()).isEqualTo(4);
            // The old image goes and a sweep runs before the new manifest is in place.
            Files.delete(folder().resolve("old"));
            assertThat(store.sweep().removed()).isZero();
            Files.move(temp, folder().resolve("new"), StandardCopyOption.ATOMIC_MOVE);
        }
        assertThat(store.sweep().removed()).isZero();
        assertThat(restore(folder().resolve("new"))).isEqualTo(source);
    }

    @Test
    public void keptChunksOutliveTheirManifestUntilTheKeepingEnds() throws IOException {
        ChunkStore store = ChunkStore.in(folder());
        byte[] source = random(3 * CHUNK, 16);
        writeManifest(store, "read", ImageHeader.wholeDisk(source.length, CHUNK), source);
        try (ChunkStore.Writing reading = store.begin(); ImageReader r = ImageReader.open(folder().resolve("read"))) {
            for (long n = 0; n < r.chunkCount(); n++) {
                reading.keep(r.entry(n));
            }
            // A backup of the same name replaces the manifest while it is read; a sweep runs.
            writeManifest(store, "read", ImageHeader.wholeDisk(source.length, CHUNK), random(3 * CHUNK, 17));
            assertThat(store.sweep().removed()).isZero();
            assertThat(r.readChunk(2)).isEqualTo(java.util.Arrays.copyOfRange(source, 2 * CHUNK, 3 * CHUNK));
        }
        assertThat(store.sweep().removed()).isEqualTo(3);
    }

    /** Backups writing, images deleted and sweeps running at once: no manifest ever misses a chunk. */
    @Test
    public void concurrentWritesDeletesAndSweepsNeverLoseAReferencedChunk() throws Exception {
        ChunkStore store = ChunkStore.in(folder());
        byte[] base = random(16 * CHUNK, 7);
        ImageHeader header = ImageHeader.wholeDisk(base.length, CHUNK);
        writeManifest(store, "base-0", header, base);
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int writer = t;
                jobs.add(pool.submit(() -> {
                    for (int i = 1; i <= 25; i++) {
                        byte[] s = base.clone();
                        s[(i % 16) * CHUNK] = (byte) (writer * 31 + i);
                        writeManifest(store, "w" + writer + "-" + i, header, s);
                        // the previous one of this writer goes: its chunks are mostly the next one's
                        Files.deleteIfExists(folder().resolve("w" + writer + "-" + (i - 1)));
                        Files.deleteIfExists(folder().resolve("base-0"));
                    }
                    return null;
                }));
            }
            Future<?> sweeper = pool.submit(() -> {
                while (writing.get()) {
                    store.sweep();
                }
                return null;
            });
            for (Future<?> j : jobs) {
                j.get(120, TimeUnit.SECONDS);
            }
            writing.set(false);
            sweeper.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        store.sweep();
        for (String name : List.of("w0-25", "w1-25")) {
            Verifier.Report r = verify(folder().resolve(name));
            assertThat(r.bad()).as(name).isEmpty();
        }
        try (Stream<Path> s = Files.list(folder())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(".chunks", "w0-25",
                    "w1-25");
        }
        // Two images of 16 chunks, 15 of them shared: 17 chunks left.
        assertThat(store.sweep().kept()).isEqualTo(17);
    }

    @Test
    public void singleFileImagesReadAsBeforeBesideManifestsAndAreNotSwept() throws IOException {
        byte[] source = TestImages.source(10 * CHUNK, 8);
        Path single = folder().resolve("single");
        TestImages.write(single, ImageHeader.wholeDisk(source.length, CHUNK), source);
        ChunkStore store = ChunkStore.in(folder());
        writeManifest(store, "manifest", ImageHeader.wholeDisk(source.length, CHUNK), source);
        Files.writeString(folder().resolve("notes.txt"), "not an image");

        ChunkStore.SweepReport r = store.sweep();
        assertThat(r.manifests()).isEqualTo(1);
        assertThat(r.removed()).isZero();
        try (ImageReader reader = ImageReader.open(single)) {
            assertThat(reader.manifest()).isFalse();
            assertThat(reader.formatVersion()).isEqualTo("1.0");
        }
        assertThat(restore(single)).isEqualTo(source);
        assertThat(restore(folder().resolve("manifest"))).isEqualTo(source);
        try (FileChannel c = FileChannel.open(single)) {
            assertThat(ImageReader.open(c).chunkCount()).isEqualTo(10);
        }
    }

    @Test
    public void aManifestOpenedWithoutItsFolderIsRefusedClearly() throws IOException {
        byte[] source = random(2 * CHUNK, 9);
        writeManifest(ChunkStore.in(folder()), "m", ImageHeader.wholeDisk(source.length, CHUNK), source);
        FileChannel c = FileChannel.open(folder().resolve("m"));
        assertThatThrownBy(() -> ImageReader.open(c)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("a manifest (format 2.0) has its chunks in the store");
        assertThat(c.isOpen()).isFalse();
        try (ImageReader r = ImageReader.open(FileChannel.open(folder().resolve("m")), folder())) {
            assertThat(r.readChunk(1)).isEqualTo(java.util.Arrays.copyOfRange(source, CHUNK, 2 * CHUNK));
        }
    }

    @Test
    public void aMissingChunkIsNamedByVerifyAndStopsARestoreBeforeItIsWritten() throws IOException {
        byte[] source = random(6 * CHUNK, 10);
        writeManifest(ChunkStore.in(folder()), "m", ImageHeader.wholeDisk(source.length, CHUNK), source);
        Path image = folder().resolve("m");
        Path missing;
        try (ImageReader r = ImageReader.open(image)) {
            missing = ChunkStore.chunkPath(folder(), r.entry(4));
        }
        Files.delete(missing);
        String shown = folder().relativize(missing).toString();

        Verifier.Report report = verify(image);
        assertThat(report.bad()).hasSize(1);
        assertThat(report.bad().get(0).describe()).isEqualTo("chunk 4 (disk 1, disk offset " + 4 * CHUNK
                + "): missing from the chunk store: " + shown);

        List<Long> written = new ArrayList<>();
        try (ImageReader r = ImageReader.open(image)) {
            assertThatThrownBy(() -> r.restore((disk, offset, data) -> written.add(offset),
                    ImageReader.RestoreOptions.DEFAULT)).isInstanceOf(ChunkCorruptException.class)
                    .hasMessage("chunk 4 (disk 1, disk offset " + 4 * CHUNK + "): missing from the chunk store: "
                            + shown);
            assertThatThrownBy(() -> r.readStoredChunk(4)).isInstanceOf(ChunkCorruptException.class)
                    .hasMessageContaining(shown);
        }
        assertThat(written).containsExactly(0L, (long) CHUNK, 2L * CHUNK, 3L * CHUNK);
    }

    @Test
    public void aDamagedOrShortenedChunkIsNamed() throws IOException {
        byte[] source = random(3 * CHUNK, 11);
        writeManifest(ChunkStore.in(folder()), "m", ImageHeader.wholeDisk(source.length, CHUNK), source);
        Path image = folder().resolve("m");
        Path flipped;
        Path shortened;
        try (ImageReader r = ImageReader.open(image)) {
            flipped = ChunkStore.chunkPath(folder(), r.entry(0));
            shortened = ChunkStore.chunkPath(folder(), r.entry(2));
        }
        byte[] b = Files.readAllBytes(flipped);
        b[b.length / 2] ^= 1;
        Files.write(flipped, b);
        Files.write(shortened, new byte[10]);

        List<BadChunk> bad = verify(image).bad();
        assertThat(bad).extracting(BadChunk::number).containsExactly(0L, 2L);
        assertThat(bad.get(0).reason()).startsWith("stored bytes fail their CRC-32C");
        assertThat(bad.get(1).reason()).startsWith("stored chunk " + folder().relativize(shortened) + " has 10 bytes");
    }

    @Test
    public void aManifestWhoseEntryPointsIntoTheFileIsRefused() throws IOException {
        byte[] source = random(2 * CHUNK, 12);
        writeManifest(ChunkStore.in(folder()), "m", ImageHeader.wholeDisk(source.length, CHUNK), source);
        Path image = folder().resolve("m");
        long index = TestImages.indexOffset(image);
        byte[] b = Files.readAllBytes(image);
        ByteBuffer.wrap(b).putLong((int) index + 72 + 24, 16);
        Files.write(image, b);
        TestImages.resealIndex(image);
        assertThatThrownBy(() -> ImageReader.open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessage("chunk 1 of a manifest claims file offset 16; a manifest's chunks are in the chunk store"
                        + " (offset 0) (at file offset " + (index + 72) + ")");
    }

    @Test
    public void aManifestClaimingTwoToTheFortyChunksIsRefusedBeforeAllocating() throws IOException {
        long size = (1L << 40) * CHUNK;
        ImageHeader huge = new ImageHeader(java.util.UUID.randomUUID(), CHUNK, java.time.Instant.now(), "", "",
                new ImageHeader.SourceMachine("", "", ""),
                List.of(new ImageHeader.Disk(1, size, 512, new byte[0], List.of())),
                List.of(new ImageHeader.Extent(1, 0, size)));
        ByteBuffer header = org.opendpm.image.internal.HeaderCodec.encode(huge, 2);
        ByteBuffer trailer = org.opendpm.image.internal.IndexCodec.trailer(header.remaining(), 1L << 40,
                huge.imageId(), 0);
        byte[] b = new byte[header.remaining() + 4096 + trailer.remaining()];
        header.get(b, 0, header.remaining());
        trailer.get(b, b.length - 48, 48);
        Path image = folder().resolve("huge");
        Files.write(image, b);
        assertThatThrownBy(() -> ImageReader.open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("the header's extents make 1099511627776 chunks, but the file has room for"
                        + " at most 56 index entries");
    }

    @Test
    public void anUnreadableManifestStopsTheSweepBeforeItRemovesAnything() throws IOException {
        ChunkStore store = ChunkStore.in(folder());
        byte[] source = random(3 * CHUNK, 14);
        writeManifest(store, "good", ImageHeader.wholeDisk(source.length, CHUNK), source);
        writeManifest(store, "broken", ImageHeader.wholeDisk(source.length, CHUNK), random(3 * CHUNK, 15));
        Path broken = folder().resolve("broken");
        byte[] b = Files.readAllBytes(broken);
        b[b.length - 1] ^= 1;
        Files.write(broken, b);
        Files.delete(folder().resolve("good"));
        long before = storeBytes(folder());

        assertThatThrownBy(store::sweep).isInstanceOf(IOException.class)
                .hasMessageStartingWith("the chunk store is not swept: manifest broken cannot be read");
        assertThat(storeBytes(folder())).isEqualTo(before);
    }
}
