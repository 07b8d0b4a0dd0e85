package org.opendpm.rest.internal.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.catchIt;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.problem;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.roles;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import javax.ws.rs.ServiceUnavailableException;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageReader;
import org.opendpm.image.ImageWriter;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.ImageDescriptionDto;
import org.opendpm.rest.internal.dto.ImageDto;
import org.opendpm.rest.internal.dto.ImageVerificationDto;
import org.opendpm.rest.internal.dto.Problem;
import org.opendpm.rest.internal.json.JsonProvider;
import org.opendpm.scheduler.internal.images.ImageCatalog;
import org.opendpm.scheduler.internal.images.ImageFolder;

/** IMG-1, IMG-2 over REST: the resource on the image store as it ships, over images written in a temporary folder. */
public class ImageResourceTest {
    private static final int CHUNK = ImageHeader.MIN_CHUNK_SIZE;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path root;
    private ImageFolder folder;
    private ImageResource images;

    @Before
    public void imageFolder() throws IOException {
        root = tmp.newFolder("images").toPath();
        folder = new ImageFolder(new ServerSettingsService() {
            @Override
            public ServerSettings get() {
                return new ServerSettings(false, root.toString(), false, 5, 10, 120, "opendpm-amd64");
            }

            @Override
            public ServerSettings update(ServerSettings settings) {
                throw new UnsupportedOperationException();
            }
        });
        images = new ImageResource(new ImageCatalog(folder));
        write(root.resolve("pc1.img"));
    }

    /** Disk 2 of 6 chunks, imaged from chunk 1 for 3 chunks of random bytes: chunk 2 belongs at disk offset 3 chunks. */
    private static void write(Path image) throws IOException {
        ImageHeader header = new ImageHeader(UUID.fromString("00000000-0000-4000-8000-0000000000aa"), CHUNK,
                Instant.parse("2026-03-01T10:00:00Z"), "opendpm-amd64", "QEMU Standard PC",
                new ImageHeader.SourceMachine("pc1", "52:54:00:12:34:56", ""),
                List.of(new ImageHeader.Disk(2, 6L * CHUNK, 4096, new byte[512], List.of())),
                List.of(new ImageHeader.Extent(2, CHUNK, 3L * CHUNK)));
        byte[] source = new byte[3 * CHUNK];
        new Random(3).nextBytes(source);
        try (FileChannel out = FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                ImageWriter w = ImageWriter.create(out, header, ImageWriter.Options.DEFAULT)) {
            w.write(ByteBuffer.wrap(source));
            w.finish();
        }
    }

    @Test
    public void everyMethodHasItsRoleAndDocumentation() {
        assertThat(roles(ImageResource.class)).containsExactlyInAnyOrderEntriesOf(Map.of("list", Roles.VIEWER, "get",
                Roles.VIEWER, "delete", Roles.ADMIN, "verify", Roles.OPERATOR));
    }

    @Test
    public void imagesAreListedAndDescribedAsJson() throws Exception {
        byte[] good = Files.readAllBytes(root.resolve("pc1.img"));
        Files.write(root.resolve("cut.img"), Arrays.copyOf(good, 100));
        Files.write(root.resolve(".pc2.img.42.partial"), good);

        List<ImageDto> list = images.list();
        assertThat(list).extracting(ImageDto::name).containsExactly("cut.img", "pc1.img");
        assertThat(list.get(0).summary()).isNull();
        assertThat(list.get(0).problem()).contains("truncated");
        String json = JsonProvider.mapper().writeValueAsString(list.get(1));
        assertThat(json).contains("\"imageId\":\"00000000-0000-4000-8000-0000000000aa\"",
                "\"created\":\"2026-03-01T10:00:00Z\"", "\"sourceMachine\":\"pc1\"", "\"chunks\":3",
                "\"problem\":null");

        ImageDescriptionDto d = images.get("pc1.img");
        assertThat(d.formatVersion()).isEqualTo("1.0");
        assertThat(d.disks()).containsExactly(new ImageDescriptionDto.Disk(2, 6L * CHUNK, 4096, 512, List.of()));
        assertThat(d.extents()).containsExactly(new ImageDescriptionDto.Extent(2, CHUNK, 3L * CHUNK));
        assertThat(d.source()).isEqualTo(new ImageDescriptionDto.Source("pc1", "52:54:00:12:34:56", ""));
        assertThat(d.chunks()).isEqualTo(3);
        assertThat(d.holes()).isZero();
    }

    @Test
    public void aBadNameIs400AndAMissingImage404() {
        for (String bad : List.of("../pc1.img", ".pc1.img", "a\\b", "x".repeat(256))) {
            Problem p = problem(catchIt(() -> images.get(bad)), 400);
            assertThat(p.field()).as(bad).isEqualTo("name");
            problem(catchIt(() -> images.delete(bad)), 400);
            problem(catchIt(() -> images.verify(bad)), 400);
        }
        assertThat(problem(catchIt(() -> images.get("pc9.img")), 404).detail()).contains("pc9.img");
        problem(catchIt(() -> images.delete("pc9.img")), 404);
        problem(catchIt(() -> images.verify("pc9.img")), 404);
    }

    @Test
    public void deletingAnImageInUseIs409NamingTheUseThenItIsDeleted() throws Exception {
        try (AutoCloseable restore = folder.use("pc1.img", "restore of execution 12 to pc7")) {
            assertThat(problem(catchIt(() -> images.delete("pc1.img")), 409).detail())
                    .isEqualTo("Image pc1.img is in use: restore of execution 12 to pc7");
        }
        assertThat(images.delete("pc1.img").getStatus()).isEqualTo(204);
        assertThat(images.list()).isEmpty();
        problem(catchIt(() -> images.get("pc1.img")), 404);
    }

    @Test
    public void verifyNamesTheCorruptedChunkWithItsDiskAndDiskOffset() throws IOException {
        assertThat(images.verify("pc1.img").ok()).isTrue();
        Path image = root.resolve("pc1.img");
        long at;
        try (ImageReader r = ImageReader.open(image)) {
            at = r.entry(2).fileOffset() + r.entry(2).storedLength() / 2;
        }
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x01);
        }

        ImageVerificationDto r = images.verify("pc1.img");

        assertThat(r.ok()).isFalse();
        assertThat(r.unreadable()).isNull();
        assertThat(r.chunks()).isEqualTo(3);
        assertThat(r.badChunks()).hasSize(1);
        assertThat(r.badChunks().get(0).number()).isEqualTo(2);
        assertThat(r.badChunks().get(0).disk()).isEqualTo(2);
        assertThat(r.badChunks().get(0).diskOffset()).isEqualTo(3L * CHUNK);
        assertThat(r.badChunks().get(0).reason()).contains("CRC-32C");
    }

    @Test
    public void withoutTheImageStoreTheAnswerIs503() {
        ImageResource none = new ImageResource(null);
        assertThat(problem(catchIt(none::list), 503).detail()).contains("image store");
        assertThat(catchIt(() -> none.verify("pc1.img"))).isInstanceOf(ServiceUnavailableException.class);
    }
}
