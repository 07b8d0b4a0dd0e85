package org.opendpm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.image.ImageHeader.ChunkLocation;
import org.opendpm.image.ImageHeader.Disk;
import org.opendpm.image.ImageHeader.Extent;
import org.opendpm.image.ImageHeader.Partition;
import org.opendpm.image.ImageHeader.SourceMachine;

/** IMG-1: an image written from chunks compressed elsewhere (the agent) is the image the streaming writer makes. */
public class StoredChunkWriterTest {
    private static final int CHUNK = TestImages.CHUNK;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** A chunk as the agent sends it: entry (file offset left 0) and stored bytes. */
    private record Sent(ChunkEntry entry, ByteBuffer stored) {
    }

    private static List<Sent> encode(ImageHeader header, byte[] disk) {
        List<Sent> out = new ArrayList<>();
        ByteBuffer src = ByteBuffer.allocateDirect(header.chunkSize());
        for (ChunkLocation l : header.chunkLocations()) {
            src.clear().put(disk, (int) l.diskOffset(), l.length());
            ByteBuffer dst = ByteBuffer.allocateDirect(Chunks.maxStored(header.chunkSize()));
            Chunks.Encoded e = Chunks.encode(src, l.length(), dst, 1);
            out.add(new Sent(new ChunkEntry(l.number(), l.diskNumber(), l.diskOffset(), l.length(), 0,
                    e.storedLength(), e.crc32c(), e.sha256()), dst.clear().limit(e.storedLength())));
        }
        return out;
    }

    private static FileChannel create(Path p) throws IOException {
        return FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** Two partitions of a disk, so chunks are cut from each extent's start and the last of each is short. */
    private static ImageHeader partitionHeader(int diskSize) {
        Partition p1 = new Partition(1, 3 * CHUNK, 5 * CHUNK + 100, "83");
        Partition p2 = new Partition(2, 10 * CHUNK, 7 * CHUNK + 4000, "83");
        return new ImageHeader(UUID.randomUUID(), CHUNK, Instant.now(), "opendpm-linux", "Model 7",
                new SourceMachine("m1", "02:00:00:00:00:01", "uuid-1"),
                List.of(new Disk(1, diskSize, 512, new byte[]{ 1, 2, 3 }, List.of(p1, p2))),
                List.of(new Extent(1, p1.offset(), p1.length()), new Extent(1, p2.offset(), p2.length())));
    }

    @Test
    public void storedChunksMakeTheSameImageAsTheStreamingWriterAndItVerifies() throws IOException {
        byte[] disk = TestImages.source(20 * CHUNK, 7);
        ImageHeader header = partitionHeader(disk.length);
        Path streamed = tmp.getRoot().toPath().resolve("streamed.img");
        try (FileChannel out = create(streamed);
                ImageWriter w = ImageWriter.create(out, header, ImageWriter.Options.DEFAULT)) {
            for (Extent e : header.extents()) {
                w.write(ByteBuffer.wrap(disk, (int) e.offset(), (int) e.length()));
            }
            w.finish();
        }
        Path stored = tmp.getRoot().toPath().resolve("stored.img");
        ImageWriter.Summary summary;
        try (FileChannel out = create(stored)) {
            StoredChunkWriter w = StoredChunkWriter.create(out, header);
            for (Sent s : encode(header, disk)) {
                w.append(s.entry(), s.stored());
            }
            assertThat(w.complete()).isTrue();
            summary = w.finish();
        }

        assertThat(summary.imageBytes()).isEqualTo(Files.size(stored));
        assertThat(summary.holes()).isPositive();
        try (ImageReader a = ImageReader.open(streamed); ImageReader b = ImageReader.open(stored)) {
            assertThat(b.header()).isEqualTo(a.header());
            assertThat(b.chunkCount()).isEqualTo(a.chunkCount()).isEqualTo(header.chunkCount());
            for (long n = 0; n < a.chunkCount(); n++) {
                assertThat(b.entry(n)).as("entry %d", n).isEqualTo(a.entry(n));
                assertThat(b.readStoredChunk(n)).as("stored bytes of chunk %d", n).isEqualTo(a.readStoredChunk(n));
            }
            assertThat(Verifier.verify(b).ok()).isTrue();
        }
        assertThat(Files.readAllBytes(stored)).isEqualTo(Files.readAllBytes(streamed));
    }

    @Test
    public void outOfOrderMisplacedAndDamagedChunksAreRefusedAndTheWriterCarriesOn() throws IOException {
        byte[] disk = TestImages.source(20 * CHUNK, 8);
        ImageHeader header = partitionHeader(disk.length);
        List<Sent> sent = encode(header, disk);
        Path image = tmp.getRoot().toPath().resolve("refused.img");
        try (FileChannel out = create(image)) {
            StoredChunkWriter w = StoredChunkWriter.create(out, header);
            long size = out.size();
            assertThatThrownBy(() -> w.append(sent.get(1).entry(), sent.get(1).stored()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunk 1")
                    .hasMessageContaining("out of order: chunk 0 comes next");

            ChunkEntry e0 = sent.get(0).entry();
            ChunkEntry wrongOffset = new ChunkEntry(0, 1, e0.diskOffset() + CHUNK, e0.length(), 0,
                    e0.storedLength(), e0.storedCrc32c(), e0.sha256());
            assertThatThrownBy(() -> w.append(wrongOffset, sent.get(0).stored()))
                    .hasMessageContaining("misplaced").hasMessageContaining("at " + (3 * CHUNK));
            ChunkEntry wrongDisk = new ChunkEntry(0, 2, e0.diskOffset(), e0.length(), 0, e0.storedLength(),
                    e0.storedCrc32c(), e0.sha256());
            assertThatThrownBy(() -> w.append(wrongDisk, sent.get(0).stored())).hasMessageContaining("misplaced");

            Sent text = sent.stream().filter(s -> !s.entry().hole()).findFirst().orElseThrow();
            assertThat(text.entry().number()).isZero();
            ByteBuffer damaged = ByteBuffer.allocate(text.stored().remaining()).put(text.stored().duplicate())
                    .flip();
            damaged.put(5, (byte) (damaged.get(5) ^ 1));
            assertThatThrownBy(() -> w.append(text.entry(), damaged)).hasMessageContaining("CRC-32C");
            assertThatThrownBy(() -> w.append(text.entry(), text.stored().duplicate().limit(3)))
                    .hasMessageContaining("3 stored bytes given");
            ChunkEntry tooBig = new ChunkEntry(0, 1, e0.diskOffset(), e0.length(), 0,
                    Chunks.maxStored(CHUNK) + 1, 0, e0.sha256());
            assertThatThrownBy(() -> w.append(tooBig, ByteBuffer.allocate(Chunks.maxStored(CHUNK) + 1)))
                    .hasMessageContaining("zstd's bound");
            assertThat(out.size()).as("nothing of a refused chunk is written").isEqualTo(size);
            assertThat(w.nextChunk()).isZero();

            assertThatThrownBy(w::finish).isInstanceOf(IOException.class)
                    .hasMessageContaining("only 0 of " + header.chunkCount());
            for (Sent s : sent) {
                w.append(s.entry(), s.stored());
            }
            Sent last = sent.get(sent.size() - 1);
            assertThatThrownBy(() -> w.append(last.entry(), last.stored()))
                    .hasMessageContaining("the image has only " + header.chunkCount() + " chunks");
            w.finish();
        }
        try (ImageReader r = ImageReader.open(image)) {
            assertThat(Verifier.verify(r).ok()).isTrue();
        }
    }

    @Test
    public void aHoleMustCarryZeroChecks() throws IOException {
        ImageHeader header = ImageHeader.wholeDisk(2L * CHUNK, CHUNK);
        try (FileChannel out = create(tmp.getRoot().toPath().resolve("hole.img"))) {
            StoredChunkWriter w = StoredChunkWriter.create(out, header);
            assertThatThrownBy(() -> w.append(new ChunkEntry(0, 1, 0, CHUNK, 0, 0, 7, new byte[32]), null))
                    .hasMessageContaining("a hole with a CRC-32C");
            w.append(new ChunkEntry(0, 1, 0, CHUNK, 0, 0, 0, new byte[32]), null);
            assertThat(w.nextChunk()).isEqualTo(1);
        }
    }

    @Test
    public void aFailedWriteBreaksTheWriter() throws IOException {
        ImageHeader header = ImageHeader.wholeDisk(4L * CHUNK, CHUNK);
        byte[] disk = TestImages.source(4 * CHUNK, 9);
        List<Sent> sent = encode(header, disk);
        Path p = tmp.getRoot().toPath().resolve("broken.img");
        FileChannel out = create(p);
        StoredChunkWriter w = StoredChunkWriter.create(out, header);
        out.close();
        Sent s = sent.stream().filter(x -> !x.entry().hole()).findFirst().orElseThrow();
        for (long n = 0; n < s.entry().number(); n++) {
            w.append(sent.get((int) n).entry(), null);
        }
        assertThatThrownBy(() -> w.append(s.entry(), s.stored())).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> w.append(s.entry(), s.stored())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("an earlier write failed");
    }

    @Test
    public void storedChunksMakeAManifestWhoseChunksGoToTheStoreOnce() throws IOException {
        byte[] disk = TestImages.source(20 * CHUNK, 8);
        ImageHeader header = partitionHeader(disk.length);
        Path folder = tmp.getRoot().toPath();
        ChunkStore store = ChunkStore.in(folder);
        Path manifest = folder.resolve("m.img");
        ImageWriter.Summary summary;
        try (FileChannel out = create(manifest); ChunkStore.Writing chunks = store.begin()) {
            StoredChunkWriter w = StoredChunkWriter.createManifest(out, header, chunks);
            for (Sent s : encode(header, disk)) {
                w.append(s.entry(), s.entry().hole() ? null : s.stored());
            }
            summary = w.finish();
            assertThat(chunks.addedChunks() + chunks.sharedChunks()).isEqualTo(summary.chunks() - summary.holes());
        }
        assertThat(Files.size(manifest)).isEqualTo(summary.imageBytes());
        try (ImageReader r = ImageReader.open(manifest)) {
            assertThat(r.formatVersion()).isEqualTo("2.0");
            assertThat(Verifier.verify(r).ok()).isTrue();
            for (ChunkLocation l : header.chunkLocations()) {
                assertThat(r.readChunk(l.number())).isEqualTo(
                        java.util.Arrays.copyOfRange(disk, (int) l.diskOffset(), (int) l.diskOffset() + l.length()));
            }
        }

        // The same chunks again: nothing new in the store, and a bad one is refused before it is stored.
        try (FileChannel out = create(folder.resolve("again.img")); ChunkStore.Writing chunks = store.begin()) {
            StoredChunkWriter w = StoredChunkWriter.createManifest(out, header, chunks);
            List<Sent> sent = encode(header, disk);
            Sent bad = sent.stream().filter(s -> !s.entry().hole()).findFirst().orElseThrow();
            ByteBuffer damaged = ByteBuffer.allocate(bad.stored().remaining()).put(bad.stored().duplicate()).flip();
            damaged.put(3, (byte) (damaged.get(3) ^ 1));
            for (Sent s : sent) {
                if (s == bad) {
                    assertThatThrownBy(() -> w.append(s.entry(), damaged)).isInstanceOf(IllegalArgumentException.class)
                            .hasMessageContaining("stored bytes fail their CRC-32C");
                }
                w.append(s.entry(), s.entry().hole() ? null : s.stored());
            }
            w.finish();
            assertThat(chunks.addedChunks()).isZero();
        }
    }
}
