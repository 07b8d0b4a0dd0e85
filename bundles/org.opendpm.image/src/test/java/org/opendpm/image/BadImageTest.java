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
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.image.ImageHeader.Disk;
import org.opendpm.image.ImageHeader.Extent;
import org.opendpm.image.ImageHeader.SourceMachine;
import org.opendpm.image.ImageReader.RestoreOptions;
import org.opendpm.image.internal.HeaderCodec;
import org.opendpm.image.internal.IndexCodec;

/** IMG-2: damaged and hostile images end in a clear error naming what and where, never in a crash or big allocation. */
public class BadImageTest {
    private static final int CHUNK = TestImages.CHUNK;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private byte[] source;
    private Path image;
    private byte[] good;

    @Before
    public void writeGoodImage() throws IOException {
        source = TestImages.source(12 * CHUNK, 7);
        image = tmp.getRoot().toPath().resolve("good.img");
        TestImages.write(image, ImageHeader.wholeDisk(source.length, CHUNK), source);
        good = Files.readAllBytes(image);
    }

    private ImageFormatException openFails(byte[] bytes) throws IOException {
        Path bad = tmp.newFile().toPath();
        Files.write(bad, bytes);
        try (ImageReader r = ImageReader.open(bad)) {
            throw new AssertionError("opened " + r.chunkCount() + " chunks");
        } catch (ImageFormatException e) {
            return e;
        }
    }

    @Test
    public void truncatedImage() throws IOException {
        ImageFormatException e = openFails(Arrays.copyOf(good, good.length - 100));
        assertThat(e).hasMessageContaining("no trailer: the image is truncated");
        assertThat(e.offset()).isEqualTo(good.length - 100 - 8);

        assertThat(openFails(Arrays.copyOf(good, 30))).hasMessageContaining("truncated: the file has 30 bytes");
        assertThat(openFails(new byte[0])).hasMessageContaining("truncated: the file has 0 bytes");
    }

    @Test
    public void wrongMagic() throws IOException {
        byte[] b = good.clone();
        b[1] = 'X';
        ImageFormatException e = openFails(b);
        assertThat(e).hasMessageContaining("not an OpenDPM image: wrong magic 89584450");
        assertThat(e.offset()).isZero();
    }

    @Test
    public void futureFormatVersion() throws IOException {
        byte[] b = good.clone();
        ByteBuffer.wrap(b).putShort(8, (short) 3);
        TestImages.resealHeader(b);
        ImageFormatException e = openFails(b);
        assertThat(e).hasMessageContaining("format version 3.0 is not readable by this reader (reads 1.x and 2.x)");
        assertThat(e.offset()).isEqualTo(8);
    }

    @Test
    public void headerClaimingTwoToTheFortyChunks() throws IOException {
        long size = (1L << 40) * CHUNK;
        ImageHeader huge = new ImageHeader(UUID.randomUUID(), CHUNK, Instant.now(), "", "",
                new SourceMachine("", "", ""), List.of(new Disk(1, size, 512, new byte[0], List.of())),
                List.of(new Extent(1, 0, size)));
        assertThat(huge.chunkCount()).isEqualTo(1L << 40);
        ByteBuffer header = HeaderCodec.encode(huge);
        ByteBuffer trailer = IndexCodec.trailer(header.remaining(), 1L << 40, huge.imageId(), 0);
        byte[] b = new byte[header.remaining() + 4096 + trailer.remaining()];
        header.get(b, 0, header.remaining());
        trailer.get(b, b.length - 48, 48);

        ImageFormatException e = openFails(b);
        assertThat(e).hasMessageContaining("the header's extents make 1099511627776 chunks, but the file has room for"
                + " at most 56 index entries");
        assertThat(e.offset()).isEqualTo(16);
    }

    @Test
    public void indexEntryPointingPastTheEnd() throws IOException {
        long index = TestImages.indexOffset(image);
        long firstStored = firstStoredChunk();
        long entryAt = index + firstStored * 72;
        byte[] b = good.clone();
        ByteBuffer.wrap(b).putLong((int) entryAt + 24, good.length + 1_000_000L);
        Files.write(image, b);
        TestImages.resealIndex(image);

        ImageFormatException e = openFails(Files.readAllBytes(image));
        assertThat(e).hasMessageContaining("chunk " + firstStored + " points past the end of the chunk data");
        assertThat(e.offset()).isEqualTo(entryAt);
    }

    @Test
    public void storedLengthBeyondTheCompressionBound() throws IOException {
        long index = TestImages.indexOffset(image);
        long n = firstStoredChunk();
        byte[] b = good.clone();
        ByteBuffer.wrap(b).putInt((int) (index + n * 72 + 32), Integer.MAX_VALUE);
        Files.write(image, b);
        TestImages.resealIndex(image);

        assertThat(openFails(Files.readAllBytes(image))).hasMessageContaining("chunk " + n + " claims 2147483647"
                + " stored bytes, more than zstd's bound");
    }

    @Test
    public void indexEntryAtTheWrongDiskOffset() throws IOException {
        long index = TestImages.indexOffset(image);
        byte[] b = good.clone();
        ByteBuffer.wrap(b).putLong((int) (index + 2 * 72 + 16), 5L * CHUNK);
        Files.write(image, b);
        TestImages.resealIndex(image);

        assertThat(openFails(Files.readAllBytes(image))).hasMessageContaining("index entry 2 says chunk 2 of disk 1"
                + " at " + 5L * CHUNK);
    }

    @Test
    public void damagedIndexFailsItsCrc() throws IOException {
        long index = TestImages.indexOffset(image);
        byte[] b = good.clone();
        b[(int) index + 3] ^= 1;
        ImageFormatException e = openFails(b);
        assertThat(e).hasMessageContaining("index CRC-32C mismatch");
        assertThat(e.offset()).isEqualTo(index);
    }

    @Test
    public void damagedHeaderFailsItsCrc() throws IOException {
        byte[] b = good.clone();
        b[40] ^= 1;
        assertThat(openFails(b)).hasMessageContaining("header CRC-32C mismatch");
    }

    @Test
    public void headerLengthBeyondTheFile() throws IOException {
        byte[] b = good.clone();
        ByteBuffer.wrap(b).putInt(12, 0x7FFF_FFFF);
        ImageFormatException e = openFails(b);
        assertThat(e).hasMessageContaining("header length 2147483647 is outside 20..16777216");
        assertThat(e.offset()).isEqualTo(12);

        ByteBuffer.wrap(b).putInt(12, good.length);
        e = openFails(b);
        assertThat(e).hasMessageContaining("truncated: a header of " + good.length + " bytes");
        assertThat(e.offset()).isEqualTo(12);
    }

    @Test
    public void headerClaimingTooManyDisks() throws IOException {
        ImageHeader h = ImageHeader.wholeDisk(CHUNK, CHUNK);
        byte[] header = HeaderCodec.encode(h).array();
        int diskCountAt = 16 + 16 + 4 + 1 + 1 + 8 + 5 * 2;
        assertThat(ByteBuffer.wrap(header).getShort(diskCountAt)).isEqualTo((short) 1);
        ByteBuffer.wrap(header).putShort(diskCountAt, (short) 65535);
        TestImages.resealHeader(header);
        ImageFormatException e = assertThrows(() -> HeaderCodec.decode(ByteBuffer.wrap(header, 0,
                ByteBuffer.wrap(header).getInt(12)).slice()));
        assertThat(e).hasMessageContaining("disk count is 65535, more than the limit 64");
        assertThat(e.offset()).isEqualTo(diskCountAt);
    }

    private interface Failing {
        void run() throws IOException;
    }

    private static ImageFormatException assertThrows(Failing f) throws IOException {
        try {
            f.run();
        } catch (ImageFormatException e) {
            return e;
        }
        throw new AssertionError("no ImageFormatException");
    }

    /** The number of the second chunk with stored bytes (the first may sit right after the header). */
    private long firstStoredChunk() throws IOException {
        try (ImageReader r = ImageReader.open(image)) {
            int seen = 0;
            for (long n = 0; n < r.chunkCount(); n++) {
                if (!r.entry(n).hole() && seen++ == 1) {
                    return n;
                }
            }
        }
        throw new AssertionError("no stored chunk");
    }

    @Test
    public void corruptedChunkIsNamedByVerifyAndRestoreStopsBeforeWritingIt() throws IOException {
        long n;
        long fileOffset;
        long diskOffset;
        try (ImageReader r = ImageReader.open(image)) {
            n = firstStoredChunk();
            ChunkEntry e = r.entry(n);
            fileOffset = e.fileOffset();
            diskOffset = e.diskOffset();
        }
        byte[] b = good.clone();
        b[(int) fileOffset + 10] ^= 0x40;
        Files.write(image, b);

        try (ImageReader r = ImageReader.open(image)) {
            Verifier.Report report = Verifier.verify(r);
            assertThat(report.bad()).hasSize(1);
            BadChunk bad = report.bad().get(0);
            assertThat(bad.number()).isEqualTo(n);
            assertThat(bad.diskOffset()).isEqualTo(diskOffset);
            assertThat(bad.reason()).contains("CRC-32C");

            assertThatThrownBy(() -> r.readChunk(n)).isInstanceOf(ChunkCorruptException.class)
                    .hasMessageContaining("chunk " + n + " (disk 1, disk offset " + diskOffset + ")");

            Path target = tmp.newFile().toPath();
            byte[] before = new byte[source.length];
            Arrays.fill(before, (byte) 0xA5);
            Files.write(target, before);
            try (FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE)) {
                assertThatThrownBy(() -> r.restore(RestoreTarget.of(out), RestoreOptions.DEFAULT))
                        .isInstanceOf(ChunkCorruptException.class).hasMessageContaining("chunk " + n);
            }
            byte[] after = Files.readAllBytes(target);
            assertThat(Arrays.copyOfRange(after, 0, (int) diskOffset)).as("chunks before the bad one are written")
                    .isEqualTo(Arrays.copyOfRange(source, 0, (int) diskOffset));
            assertThat(Arrays.copyOfRange(after, (int) diskOffset, after.length))
                    .as("the bad chunk and all after it untouched")
                    .isEqualTo(Arrays.copyOfRange(before, (int) diskOffset, before.length));
        }
    }

    @Test
    public void storedBytesThatPassTheirCrcButNotTheirShaAreCaught() throws IOException {
        long n = firstStoredChunk();
        long index = TestImages.indexOffset(image);
        byte[] b = good.clone();
        b[(int) (index + n * 72 + 40)] ^= 1;
        Files.write(image, b);
        TestImages.resealIndex(image);
        try (ImageReader r = ImageReader.open(image)) {
            assertThat(Verifier.verify(r).bad()).singleElement().satisfies(bad -> {
                assertThat(bad.number()).isEqualTo(n);
                assertThat(bad.reason()).isEqualTo("uncompressed bytes fail their SHA-256");
            });
        }
    }
}
