package org.opendpm.scheduler.internal.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.opendpm.scheduler.internal.images.TestImageFolder.CHUNK;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.ConflictException;
import org.opendpm.api.images.ImageDescription;
import org.opendpm.api.images.ImageEntry;
import org.opendpm.api.images.VerificationReport;
import org.opendpm.image.ChunkEntry;
import org.opendpm.image.ChunkStore;
import org.opendpm.image.Chunks;
import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageReader;
import org.opendpm.image.StoredChunkWriter;

/** IMG-1, IMG-2: manifests in the image folder are listed, described, verified, used and deleted as images are. */
public class ImageFolderManifestTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path root;
    private ImageFolder folder;
    private ImageCatalog catalog;
    private byte[] second;

    @Before
    public void folder() throws IOException {
        root = tmp.newFolder("images").toPath();
        folder = TestImageFolder.at(root);
        catalog = new ImageCatalog(folder);
        TestImageFolder.write(root.resolve("single.img"));
        TestImageFolder.writeManifest(folder, "m1.img", TestImageFolder.source());
        second = TestImageFolder.source();
        second[3 * CHUNK + 7] ^= 1;
        TestImageFolder.writeManifest(folder, "m2.img", second);
    }

    @After
    public void stop() {
        folder.stop();
    }

    private List<String> chunkFiles() throws IOException {
        Path chunks = root.resolve(".chunks");
        try (Stream<Path> s = Files.walk(chunks)) {
            return s.filter(Files::isRegularFile).map(p -> chunks.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    public void manifestsAreListedDescribedAndVerifiedLikeSingleFiles() throws IOException {
        List<ImageEntry> list = catalog.list();
        assertThat(list).extracting(ImageEntry::name).containsExactly("m1.img", "m2.img", "single.img");
        assertThat(list).allSatisfy(e -> assertThat(e.problem()).isEmpty());
        assertThat(list.get(0).size()).isEqualTo(Files.size(root.resolve("m1.img"))).isLessThan(CHUNK);

        ImageDescription single = catalog.describe("single.img");
        ImageDescription m1 = catalog.describe("m1.img");
        assertThat(m1.formatVersion()).isEqualTo("2.0");
        assertThat(m1.chunks()).isEqualTo(4);
        assertThat(m1.holes()).isEqualTo(1);
        assertThat(m1.storedBytes()).as("the same chunks, stored elsewhere").isEqualTo(single.storedBytes());

        VerificationReport r = catalog.verify("m2.img");
        assertThat(r.ok()).isTrue();
        assertThat(r.storedBytes()).isEqualTo(catalog.describe("m2.img").storedBytes());
        // three stored chunks each, two shared
        assertThat(chunkFiles()).hasSize(4);
    }

    @Test
    public void deletingAManifestFreesOnlyTheChunksNoOtherImageNames() throws Exception {
        List<String> before = chunkFiles();
        try (ImageFolder.Use use = folder.use("m1.img", "restore onto machine pc7")) {
            assertThatThrownBy(() -> catalog.delete("m1.img")).isInstanceOf(ConflictException.class)
                    .hasMessage("Image m1.img is in use: restore onto machine pc7");
        }
        catalog.delete("m1.img");

        assertThat(root.resolve("m1.img")).doesNotExist();
        assertThat(chunkFiles()).hasSize(3).isSubsetOf(before);
        assertThat(catalog.verify("m2.img").ok()).isTrue();
        byte[] restored = new byte[4 * CHUNK];
        try (ImageReader r = folder.reader("m2.img")) {
            long base = r.header().extents().get(0).offset();
            r.restore((disk, offset, data) -> data.get(restored, (int) (offset - base), data.remaining()),
                    ImageReader.RestoreOptions.DEFAULT);
        }
        assertThat(restored).isEqualTo(second);

        catalog.delete("m2.img");
        assertThat(chunkFiles()).isEmpty();
        assertThat(catalog.verify("single.img").ok()).isTrue();
    }

    @Test
    public void theStoreIsSweptAtStartOfWhatAStoppedServerLeft() throws Exception {
        // A manifest lost without a sweep (as a server stopped between the two leaves it), and a chunk half written.
        Files.delete(root.resolve("m1.img"));
        Path half = root.resolve(".chunks").resolve("ab").resolve(".ab12.777.partial");
        Files.createDirectories(half.getParent());
        Files.write(half, new byte[10]);
        assertThat(chunkFiles()).hasSize(5);
        Path manifestLeft = root.resolve(".m3.img.4242.partial");
        Files.write(manifestLeft, new byte[100]);
        Files.setLastModifiedTime(manifestLeft, java.nio.file.attribute.FileTime.fromMillis(1000));

        ImageFolder restarted = TestImageFolder.at(root);
        try {
            restarted.start();
            restarted.databaseReady(null);
            long until = System.nanoTime() + 10_000_000_000L;
            while ((chunkFiles().size() != 3 || Files.exists(manifestLeft)) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
        } finally {
            restarted.stop();
        }
        assertThat(chunkFiles()).hasSize(3);
        assertThat(manifestLeft).doesNotExist();
        assertThat(catalog.verify("m2.img").ok()).isTrue();
    }

    @Test
    public void aManifestNamingAMissingChunkIsNamedByVerify() throws IOException {
        Path chunk;
        try (ImageReader r = folder.reader("m2.img")) {
            chunk = ChunkStore.chunkPath(root, r.entry(3));
        }
        Files.delete(chunk);

        VerificationReport r = catalog.verify("m2.img");
        assertThat(r.badChunks()).hasSize(1);
        assertThat(r.badChunks().get(0).number()).isEqualTo(3);
        assertThat(r.badChunks().get(0).reason())
                .isEqualTo("missing from the chunk store: " + root.relativize(chunk));
        assertThat(catalog.verify("m1.img").ok()).as("m1's own chunk 3 is another").isTrue();
    }

    @Test
    public void anUnreadableManifestKeepsEveryChunkAfterADelete() throws IOException {
        byte[] b = Files.readAllBytes(root.resolve("m2.img"));
        b[b.length - 1] ^= 1;
        Files.write(root.resolve("m2.img"), b);
        catalog.delete("m1.img");
        assertThat(chunkFiles()).as("what m2 names is unknown: nothing is removed").hasSize(4);
        assertThat(catalog.list()).extracting(ImageEntry::name).containsExactly("m2.img", "single.img");
    }

    @Test
    public void theChunksOfAnAbandonedBackupAreSweptAway() throws Exception {
        List<String> before = chunkFiles();
        byte[] other = new byte[4 * CHUNK];
        new Random(99).nextBytes(other);
        ImageFolder.PendingImage image = folder.createImage("m3.img", 16L * CHUNK, true);
        StoredChunkWriter w = image.writer(TestImageFolder.header());
        ByteBuffer src = ByteBuffer.allocateDirect(CHUNK).put(other, 0, CHUNK);
        ByteBuffer dst = ByteBuffer.allocateDirect(Chunks.maxStored(CHUNK));
        Chunks.Encoded e = Chunks.encode(src, CHUNK, dst, 1);
        ImageHeader.ChunkLocation first = TestImageFolder.header().chunkAt(0);
        w.append(new ChunkEntry(0, first.diskNumber(), first.diskOffset(), CHUNK, 0,
                e.storedLength(), e.crc32c(), e.sha256()), dst.clear().limit(e.storedLength()));
        assertThat(chunkFiles()).hasSize(before.size() + 1);

        image.close();
        long until = System.nanoTime() + 10_000_000_000L;
        while (chunkFiles().size() != before.size() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(chunkFiles()).isEqualTo(before);
        assertThat(catalog.list()).extracting(ImageEntry::name).containsExactly("m1.img", "m2.img", "single.img");
    }

    @Test
    public void anImageInUseKeepsItsChunksWhenABackupOfItsNameReplacesIt() throws Exception {
        byte[] old = TestImageFolder.source();
        try (ImageFolder.Use use = folder.use("m1.img", "restore onto machine pc7");
                ImageReader reading = folder.reader("m1.img")) {
            byte[] other = new byte[4 * CHUNK];
            new Random(42).nextBytes(other);
            TestImageFolder.writeManifest(folder, "m1.img", other);
            catalog.delete("m2.img");
            try (ImageReader now = folder.reader("m1.img")) {
                assertThat(now.readChunk(3)).isEqualTo(Arrays.copyOfRange(other, 3 * CHUNK, 4 * CHUNK));
            }
            assertThat(reading.readChunk(3)).isEqualTo(Arrays.copyOfRange(old, 3 * CHUNK, 4 * CHUNK));
        }
        folder.sweep();
        // only the new m1's chunks are left
        assertThat(chunkFiles()).hasSize(4);
    }
}
