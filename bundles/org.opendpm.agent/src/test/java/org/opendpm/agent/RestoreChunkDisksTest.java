package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.image.ChunkEntry;

/**
 * IMG-3: the multicast receiver's chunks reach the disk and offset of their index entry through the restore's
 * {@link RestoreDisk}s, holes read as zeros afterwards, and a chunk for a disk not opened is refused.
 */
public class RestoreChunkDisksTest {

    private static final int CHUNK = 64 * 1024;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path disk(String name, byte[] content) throws Exception {
        Path p = tmp.getRoot().toPath().resolve(name);
        Files.write(p, content);
        return p;
    }

    private static ChunkEntry entry(long n, int disk, long offset, boolean hole) {
        return new ChunkEntry(n, disk, offset, CHUNK, hole ? 0 : 4096, hole ? 0 : 100, 0, new byte[32]);
    }

    @Test
    public void chunksGoToTheirEntrysDiskAndOffsetAndHolesReadAsZeros() throws Exception {
        byte[] junk = new byte[4 * CHUNK];
        new Random(3).nextBytes(junk);
        Path one = disk("one", junk);
        Path two = disk("two", new byte[4 * CHUNK]);
        byte[] chunk = new byte[CHUNK];
        new Random(4).nextBytes(chunk);
        try (RestoreDisk d1 = RestoreDisk.open(new ImageDisks.Disk(1, one, 4L * CHUNK, ImageDisks.TEST_SECTOR_SIZE));
                RestoreDisk d2 = RestoreDisk.open(new ImageDisks.Disk(2, two, 4L * CHUNK,
                        ImageDisks.TEST_SECTOR_SIZE))) {
            RestoreChunkDisks disks = new RestoreChunkDisks(Map.of(1, d1, 2, d2), CHUNK);
            ByteBuffer plain = RestoreDisk.buffer(CHUNK).put(chunk).flip();
            disks.write(entry(0, 2, 2L * CHUNK, false), plain);
            disks.hole(entry(1, 1, CHUNK, true));
            disks.hole(entry(2, 2, 0, true));
            disks.flush();
            assertThatThrownBy(() -> disks.write(entry(3, 3, 0, false), plain.rewind()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("disk 3");
        }
        byte[] got2 = Files.readAllBytes(two);
        assertThat(Arrays.copyOfRange(got2, 2 * CHUNK, 3 * CHUNK)).isEqualTo(chunk);
        assertThat(Arrays.copyOfRange(got2, 0, 2 * CHUNK)).isEqualTo(new byte[2 * CHUNK]);
        byte[] got1 = Files.readAllBytes(one);
        assertThat(Arrays.copyOfRange(got1, CHUNK, 2 * CHUNK)).as("the hole zeroed").isEqualTo(new byte[CHUNK]);
        assertThat(Arrays.copyOfRange(got1, 0, CHUNK)).as("the rest untouched").isEqualTo(
                Arrays.copyOfRange(junk, 0, CHUNK));
        assertThat(Arrays.copyOfRange(got1, 2 * CHUNK, 4 * CHUNK)).isEqualTo(
                Arrays.copyOfRange(junk, 2 * CHUNK, 4 * CHUNK));
    }
}
