package org.opendpm.image.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.image.ChunkEntry;
import org.opendpm.image.ChunkStore;
import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageReader;
import org.opendpm.image.ImageWriter;

/** IMG-2: opendpm-verify's exit status and report. */
public class VerifyTest {
    private static final int CHUNK = ImageHeader.MIN_CHUNK_SIZE;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Verify.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path image() throws IOException {
        byte[] source = new byte[6 * CHUNK];
        new Random(5).nextBytes(source);
        Path image = tmp.getRoot().toPath().resolve("v.img");
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                ImageWriter w = ImageWriter.create(ch, ImageHeader.wholeDisk(source.length, CHUNK),
                        ImageWriter.Options.DEFAULT)) {
            w.write(ByteBuffer.wrap(source));
            w.finish();
        }
        return image;
    }

    @Test
    public void goodImageExitsZero() throws IOException {
        Path image = image();
        assertThat(run(image.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("6 chunks (0 holes)").endsWith("OK\n");
    }

    @Test
    public void badChunksAreListedWithTheirDiskOffsetAndExitOne() throws IOException {
        Path image = image();
        ChunkEntry e;
        try (ImageReader r = ImageReader.open(image)) {
            e = r.entry(4);
        }
        byte[] b = Files.readAllBytes(image);
        b[(int) e.fileOffset() + 100] ^= 1;
        Files.write(image, b);

        assertThat(run(image.toString())).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .startsWith("BAD chunk 4 (disk 1, disk offset " + 4 * CHUNK + "): stored bytes fail their CRC-32C")
                .endsWith("1 bad chunks\n");
    }

    @Test
    public void unreadableImageExitsTwo() throws IOException {
        Path junk = tmp.newFile("junk.img").toPath();
        Files.writeString(junk, "not an image at all, just some text that is long enough to have a trailer......");
        assertThat(run(junk.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unreadable: not an OpenDPM image: wrong magic");

        assertThat(run(tmp.getRoot().toPath().resolve("missing.img").toString())).isEqualTo(2);
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: opendpm-verify IMAGE");
    }

    @Test
    public void aManifestIsVerifiedWithTheChunkStoreBesideIt() throws IOException {
        byte[] source = new byte[6 * CHUNK];
        new Random(6).nextBytes(source);
        Path folder = tmp.getRoot().toPath();
        Path manifest = folder.resolve("m.img");
        ChunkEntry e;
        try (FileChannel ch = FileChannel.open(manifest, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                ChunkStore.Writing chunks = ChunkStore.in(folder).begin();
                ImageWriter w = ImageWriter.create(ch, ImageHeader.wholeDisk(source.length, CHUNK),
                        ImageWriter.Options.DEFAULT, chunks)) {
            w.write(ByteBuffer.wrap(source));
            w.finish();
        }
        assertThat(run(manifest.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("6 chunks (0 holes)").endsWith("OK\n");

        try (ImageReader r = ImageReader.open(manifest)) {
            e = r.entry(2);
        }
        Path chunk = ChunkStore.chunkPath(folder, e);
        Files.delete(chunk);
        out.reset();
        assertThat(run(manifest.toString())).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("BAD chunk 2 (disk 1, disk offset " + 2 * CHUNK
                + "): missing from the chunk store: " + folder.relativize(chunk)).endsWith("1 bad chunks\n");
    }
}
