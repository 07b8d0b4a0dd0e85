package org.opendpm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class WriteBehindTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void writesGoOnWhileEarlierOnesAreFlushedAndFinishFlushesTheRest() throws Exception {
        Path f = tmp.newFile().toPath();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE);
                WriteBehind flushing = new WriteBehind(ch, 4096, "test-flush")) {
            for (int i = 0; i < 100; i++) {
                ch.write(ByteBuffer.wrap(new byte[1000]).put(0, (byte) i));
                flushing.written(1000);
            }
            flushing.finish();
        }
        byte[] all = Files.readAllBytes(f);
        assertThat(all).hasSize(100_000);
        assertThat(all[99_000]).isEqualTo((byte) 99);
    }

    /** A flush that failed behind the writer is not lost: the next count or the finish reports it. */
    @Test
    public void aFailedFlushIsReported() throws Exception {
        Path f = tmp.newFile().toPath();
        FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE);
        try (WriteBehind flushing = new WriteBehind(ch, 10, "test-flush")) {
            ch.close();
            flushing.written(10);
            assertThatThrownBy(flushing::finish).isInstanceOf(IOException.class);
        }
    }
}
