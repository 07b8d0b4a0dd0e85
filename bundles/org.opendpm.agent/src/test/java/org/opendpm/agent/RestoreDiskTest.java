package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** IMG-2: a restore's writes reach the disk byte-exact, aligned pieces by O_DIRECT where allowed, odd ones buffered. */
public class RestoreDiskTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void alignedAndOddPiecesReadBackByteExactAfterFinish() throws IOException {
        Path file = tmp.getRoot().toPath().resolve("disk.img");
        int size = 1 << 20;
        Files.write(file, new byte[size]);
        byte[] expected = new byte[size];
        Random random = new Random(7);
        ImageDisks.Disk disk = new ImageDisks.Disk(1, file, size, ImageDisks.TEST_SECTOR_SIZE);
        try (RestoreDisk d = RestoreDisk.open(disk)) {
            // aligned: offset, length and buffer all multiples of 4096
            write(d, expected, random, 64 * 1024, 256 * 1024);
            // odd: a partition at sector 63 and a length of 1000 sectors
            write(d, expected, random, 63 * 512, 1000 * 512);
            // an odd end just before the disk's end
            write(d, expected, random, size - 4096 - 512, 4096 + 512);
            d.finish();

            ByteBuffer back = RestoreDisk.buffer(size);
            d.read(back, 0);
            byte[] got = new byte[size];
            back.flip().get(got);
            assertThat(got).isEqualTo(expected);
        }
        assertThat(Files.readAllBytes(file)).as("the file after close").isEqualTo(expected);
    }

    @Test
    public void readingPastTheEndIsAnError() throws IOException {
        Path file = tmp.getRoot().toPath().resolve("small.img");
        Files.write(file, new byte[8192]);
        ImageDisks.Disk disk = new ImageDisks.Disk(1, file, 16384, ImageDisks.TEST_SECTOR_SIZE);
        try (RestoreDisk d = RestoreDisk.open(disk)) {
            assertThatThrownBy(() -> d.read(RestoreDisk.buffer(8192), 4096)).isInstanceOf(IOException.class)
                    .hasMessage("disk 1 (" + file + ") ends at byte 8192, before its size 16384");
        }
    }

    @Test
    public void buffersAreAlignedForDirectIo() {
        ByteBuffer b = RestoreDisk.buffer(4 << 20);
        assertThat(b.capacity()).isEqualTo(4 << 20);
        assertThat(b.alignmentOffset(0, RestoreDisk.ALIGNMENT)).isZero();
    }

    private static void write(RestoreDisk d, byte[] expected, Random random, int offset, int length)
            throws IOException {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        System.arraycopy(bytes, 0, expected, offset, length);
        ByteBuffer b = RestoreDisk.buffer(length);
        b.put(bytes).flip();
        d.write(b, offset);
        assertThat(b.position()).as("the caller's buffer is left as it was").isZero();
    }
}
