package org.opendpm.scheduler.internal.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.opendpm.scheduler.internal.images.TestImageFolder.CHUNK;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.images.ImageDescription;
import org.opendpm.api.images.ImageEntry;
import org.opendpm.api.images.VerificationReport;
import org.opendpm.image.ImageReader;

/** IMG-1, IMG-2: the image folder's administration over real images written with the image module. */
public class ImageCatalogTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path root;
    private ImageFolder folder;
    private ImageCatalog catalog;

    @Before
    public void folder() throws IOException {
        root = tmp.newFolder("images").toPath();
        folder = TestImageFolder.at(root);
        catalog = new ImageCatalog(folder);
        TestImageFolder.write(root.resolve("pc1.img"));
    }

    @Test
    public void listShowsImagesWithTheirSummaryOrTheirProblem() throws IOException {
        byte[] good = Files.readAllBytes(root.resolve("pc1.img"));
        Files.write(root.resolve("cut.img"), Arrays.copyOf(good, good.length - 100));
        Files.writeString(root.resolve("notes.txt"), "not an image");
        // The store's temporary file of an image being written, and a folder: neither is an image.
        Files.write(root.resolve(".pc2.img.123456.partial"), good);
        Files.createDirectory(root.resolve("old"));

        List<ImageEntry> list = catalog.list();

        assertThat(list).extracting(ImageEntry::name).containsExactly("cut.img", "notes.txt", "pc1.img");
        ImageEntry pc1 = list.get(2);
        assertThat(pc1.size()).isEqualTo(good.length);
        assertThat(pc1.problem()).isEmpty();
        assertThat(pc1.summary()).hasValueSatisfying(s -> {
            assertThat(s.imageId()).isEqualTo(TestImageFolder.ID);
            assertThat(s.created()).isEqualTo(TestImageFolder.CREATED);
            assertThat(s.deployOsId()).isEqualTo("opendpm-amd64");
            assertThat(s.machineModel()).isEqualTo("QEMU Standard PC");
            assertThat(s.sourceMachine()).isEqualTo("pc1");
            assertThat(s.sourceBytes()).isEqualTo(4L * CHUNK);
            assertThat(s.chunks()).isEqualTo(4);
        });
        assertThat(list.get(0).summary()).isEmpty();
        assertThat(list.get(0).problem()).hasValueSatisfying(p -> assertThat(p).contains("truncated"));
        assertThat(list.get(1).problem()).hasValueSatisfying(p -> assertThat(p).contains("not an OpenDPM image"));
    }

    @Test
    public void anEmptyFolderListsNothing() throws IOException {
        Files.delete(root.resolve("pc1.img"));
        assertThat(catalog.list()).isEmpty();
    }

    @Test
    public void describeGivesEveryHeaderField() {
        ImageDescription d = catalog.describe("pc1.img");

        assertThat(d.name()).isEqualTo("pc1.img");
        assertThat(d.formatVersion()).isEqualTo("1.0");
        assertThat(d.imageId()).isEqualTo(TestImageFolder.ID);
        assertThat(d.created()).isEqualTo(TestImageFolder.CREATED);
        assertThat(d.chunkSize()).isEqualTo(CHUNK);
        assertThat(d.deployOsId()).isEqualTo("opendpm-amd64");
        assertThat(d.machineModel()).isEqualTo("QEMU Standard PC");
        assertThat(d.source()).isEqualTo(new ImageDescription.Source("pc1", "52:54:00:12:34:56",
                "6e7f0a1b-0000-4000-8000-000000000001"));
        assertThat(d.disks()).containsExactly(new ImageDescription.Disk(1, 8L * CHUNK, 512, 1024,
                List.of(new ImageDescription.Partition(1, 2L * CHUNK, 4L * CHUNK,
                        "0fc63daf-8483-4772-8e79-3d69d8477de4"))));
        assertThat(d.extents()).containsExactly(new ImageDescription.Extent(1, 2L * CHUNK, 4L * CHUNK));
        assertThat(d.chunks()).isEqualTo(4);
        assertThat(d.holes()).isEqualTo(1);
        // Random bytes do not compress: three stored chunks of a little more than a chunk each.
        assertThat(d.storedBytes()).isBetween(3L * CHUNK, 3L * CHUNK + 3 * 1024);
    }

    @Test
    public void badNamesMissingImagesAndUnreadableFilesAreRefusedClearly() throws IOException {
        for (String bad : List.of("", "../pc1.img", "a/b", ".pc1.img", "x".repeat(256), "tab\there")) {
            assertThatThrownBy(() -> catalog.describe(bad)).as(bad).isInstanceOf(ValidationException.class)
                    .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo("name"));
            assertThatThrownBy(() -> catalog.delete(bad)).as(bad).isInstanceOf(ValidationException.class);
            assertThatThrownBy(() -> catalog.verify(bad)).as(bad).isInstanceOf(ValidationException.class);
        }
        assertThatThrownBy(() -> catalog.describe("none.img")).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("none.img");
        assertThatThrownBy(() -> catalog.delete("none.img")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> catalog.verify("none.img")).isInstanceOf(NotFoundException.class);
        Files.createDirectory(root.resolve("old"));
        assertThatThrownBy(() -> catalog.delete("old")).isInstanceOf(NotFoundException.class);
        assertThat(root.resolve("old")).isDirectory();

        Files.writeString(root.resolve("notes.txt"), "not an image");
        assertThatThrownBy(() -> catalog.describe("notes.txt")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("notes.txt is not a readable complete image");
    }

    @Test
    public void deleteIsRefusedWhileAnyUseIsHeldAndNestedUsesCount() throws Exception {
        AutoCloseable restore = folder.use("pc1.img", "restore of execution 12 to pc7");
        AutoCloseable second = folder.use("pc1.img", "restore of execution 13 to pc8");

        assertThatThrownBy(() -> catalog.delete("pc1.img")).isInstanceOf(ConflictException.class)
                .hasMessage("Image pc1.img is in use: restore of execution 12 to pc7; restore of execution 13 to pc8");
        restore.close();
        restore.close(); // a second close does not release the other use
        assertThatThrownBy(() -> catalog.delete("pc1.img")).isInstanceOf(ConflictException.class)
                .hasMessage("Image pc1.img is in use: restore of execution 13 to pc8");
        assertThat(root.resolve("pc1.img")).exists();

        second.close();
        catalog.delete("pc1.img");
        assertThat(root.resolve("pc1.img")).doesNotExist();
        assertThat(folder.usesOf("pc1.img")).isEmpty();
    }

    @Test
    public void verifyPassesAGoodImageAndReleasesIt() {
        VerificationReport r = catalog.verify("pc1.img");

        assertThat(r.ok()).isTrue();
        assertThat(r.unreadable()).isEmpty();
        assertThat(r.chunks()).isEqualTo(4);
        assertThat(r.holes()).isEqualTo(1);
        assertThat(r.storedBytes()).isEqualTo(catalog.describe("pc1.img").storedBytes());
        assertThat(folder.usesOf("pc1.img")).isEmpty();
    }

    @Test
    public void verifyNamesTheCorruptedChunkAndItsDiskOffset() throws IOException {
        Path image = root.resolve("pc1.img");
        long at;
        try (ImageReader r = ImageReader.open(image)) {
            at = r.entry(1).fileOffset() + 100;
        }
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5A);
        }

        VerificationReport r = catalog.verify("pc1.img");

        assertThat(r.ok()).isFalse();
        assertThat(r.chunks()).isEqualTo(4);
        assertThat(r.badChunks()).hasSize(1);
        VerificationReport.BadChunk bad = r.badChunks().get(0);
        assertThat(bad.number()).isEqualTo(1);
        assertThat(bad.disk()).isEqualTo(1);
        // The partition starts at chunk 2 of the disk: chunk 1 of the image is at disk offset 3 chunks.
        assertThat(bad.diskOffset()).isEqualTo(3L * CHUNK);
        assertThat(bad.reason()).containsIgnoringCase("CRC-32C");
    }

    @Test
    public void verifyReportsAnUnreadableImage() throws IOException {
        byte[] good = Files.readAllBytes(root.resolve("pc1.img"));
        Files.write(root.resolve("cut.img"), Arrays.copyOf(good, good.length - 10));

        VerificationReport r = catalog.verify("cut.img");

        assertThat(r.ok()).isFalse();
        assertThat(r.unreadable()).hasValueSatisfying(p -> assertThat(p).contains("truncated"));
        assertThat(r.badChunks()).isEmpty();
    }
}
