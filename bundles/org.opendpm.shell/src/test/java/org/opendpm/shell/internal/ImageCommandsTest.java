package org.opendpm.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import org.apache.karaf.shell.api.console.CommandLine;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.images.ImageService;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageReader;
import org.opendpm.image.ImageWriter;
import org.opendpm.scheduler.internal.images.ImageCatalog;
import org.opendpm.scheduler.internal.images.ImageFolder;

/** IMG-1, IMG-2: dpm:image-* on the image store as it ships, over images written in a temporary folder. */
public class ImageCommandsTest {
    private static final int CHUNK = ImageHeader.MIN_CHUNK_SIZE;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path root;
    private ImageFolder folder;
    private ImageService images;

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
        images = new ImageCatalog(folder);
        // Disk 1 of 4 chunks, partition 1 from chunk 1 for 2 chunks of random bytes.
        ImageHeader header = new ImageHeader(UUID.fromString("00000000-0000-4000-8000-0000000000bb"), CHUNK,
                Instant.parse("2026-03-01T10:00:00Z"), "opendpm-amd64", "QEMU Standard PC",
                new ImageHeader.SourceMachine("pc1", "52:54:00:12:34:56", "u-1"),
                List.of(new ImageHeader.Disk(1, 4L * CHUNK, 512, new byte[512], List.of(
                        new ImageHeader.Partition(1, CHUNK, 2L * CHUNK, "83")))),
                List.of(new ImageHeader.Extent(1, CHUNK, 2L * CHUNK)));
        byte[] source = new byte[2 * CHUNK];
        new Random(5).nextBytes(source);
        try (FileChannel out = FileChannel.open(root.resolve("pc1.img"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
                ImageWriter w = ImageWriter.create(out, header, ImageWriter.Options.DEFAULT)) {
            w.write(ByteBuffer.wrap(source));
            w.finish();
        }
    }

    private static String printed(Runnable command) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            command.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    private ImageCommands.ImageDelete delete(String name) {
        ImageCommands.ImageDelete c = new ImageCommands.ImageDelete();
        c.images = images;
        c.name = name;
        return c;
    }

    private ImageCommands.ImageVerify verify(String name) {
        ImageCommands.ImageVerify c = new ImageCommands.ImageVerify();
        c.images = images;
        c.name = name;
        return c;
    }

    @Test
    public void listShowsImagesAndFilesThatAreNot() throws IOException {
        byte[] good = Files.readAllBytes(root.resolve("pc1.img"));
        Files.write(root.resolve("cut.img"), Arrays.copyOf(good, 200));
        ImageCommands.ImageList c = new ImageCommands.ImageList();
        c.images = images;

        String out = printed(c::execute);

        assertThat(out.lines()).hasSize(3);
        assertThat(out).contains("cut.img").contains("NOT AN IMAGE: ").contains("truncated");
        assertThat(out.lines().filter(l -> l.startsWith("pc1.img")).findFirst().orElseThrow())
                .contains("2026-03-01T10:00:00Z", "pc1, 128.0 KiB of disk, Deploy-OS opendpm-amd64");
        Files.delete(root.resolve("pc1.img"));
        Files.delete(root.resolve("cut.img"));
        assertThat(printed(c::execute)).isEqualTo("The image folder has no images\n");
    }

    @Test
    public void describeShowsEveryHeaderField() {
        ImageCommands.ImageDescribe c = new ImageCommands.ImageDescribe();
        c.images = images;
        c.name = "pc1.img";

        String out = printed(c::execute);

        assertThat(out).contains("Format:     1.0\n", "UUID:       00000000-0000-4000-8000-0000000000bb\n",
                "Created:    2026-03-01T10:00:00Z\n", "Chunk size: 65536 bytes\n", "Deploy-OS:  opendpm-amd64\n",
                "Model:      QEMU Standard PC\n", "Source:     pc1  MAC 52:54:00:12:34:56  UUID u-1\n",
                "Chunks:     2 (0 holes), ",
                "Disk 1: 262144 bytes (256.0 KiB), sector 512, partition table 512 bytes\n",
                "  Partition 1: offset 65536, 131072 bytes (128.0 KiB), type 83\n",
                "Extent: disk 1, offset 65536, 131072 bytes (128.0 KiB)\n");
    }

    @Test
    public void badNamesMissingImagesAndImagesInUseAreClearErrors() throws Exception {
        assertThatThrownBy(() -> delete("../pc1.img").execute()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("plain file name");
        assertThatThrownBy(() -> verify("pc9.img").execute()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("No image pc9.img in the image folder");
        try (AutoCloseable use = folder.use("pc1.img", "restore of execution 4 to pc2")) {
            assertThatThrownBy(() -> delete("pc1.img").execute()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Image pc1.img is in use: restore of execution 4 to pc2");
        }
        assertThat(printed(delete("pc1.img")::execute)).isEqualTo("Image pc1.img deleted\n");
        assertThat(root.resolve("pc1.img")).doesNotExist();
    }

    @Test
    public void verifyNamesTheCorruptedChunkAndItsDiskOffset() throws IOException {
        assertThat(printed(verify("pc1.img")::execute)).endsWith("2 chunks (0 holes), "
                + images.describe("pc1.img").storedBytes() + " stored bytes checked: OK\n");
        Path image = root.resolve("pc1.img");
        long at;
        try (ImageReader r = ImageReader.open(image)) {
            at = r.entry(1).fileOffset() + 7;
        }
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x80);
        }

        String out = printed(verify("pc1.img")::execute);

        assertThat(out.lines().findFirst().orElseThrow()).startsWith("BAD chunk 1 (disk 1, disk offset 131072): ")
                .contains("CRC-32C");
        assertThat(out).endsWith(": 1 bad chunks\n");
    }

    @Test
    public void theCompleterOffersImageNames() throws IOException {
        Files.write(root.resolve("pc2.img"), new byte[10]);
        ImageCommands.ImageNameCompleter completer = new ImageCommands.ImageNameCompleter();
        completer.images = images;
        List<String> candidates = new ArrayList<>();

        completer.complete(null, typed("pc"), candidates);

        assertThat(candidates).extracting(String::strip).containsExactly("pc1.img", "pc2.img");
    }

    private static CommandLine typed(String argument) {
        return new CommandLine() {
            @Override
            public int getCursorArgumentIndex() {
                return 1;
            }

            @Override
            public String getCursorArgument() {
                return argument;
            }

            @Override
            public int getArgumentPosition() {
                return argument.length();
            }

            @Override
            public String[] getArguments() {
                return new String[]{ "dpm:image-verify", argument };
            }

            @Override
            public int getBufferPosition() {
                return getBuffer().length();
            }

            @Override
            public String getBuffer() {
                return "dpm:image-verify " + argument;
            }
        };
    }
}
