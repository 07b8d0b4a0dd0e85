package org.opendpm.transfer.internal.multicast;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageWriter;

/**
 * A real image of one disk for the multicast tests, written with {@link ImageWriter}: per chunk of the smallest
 * size, zeros (a hole), text, or random bytes that zstd cannot shrink (some 47 blocks of 1400 bytes).
 */
public record TestImage(Path file, byte[] source) {

    public static final int CHUNK = ImageHeader.MIN_CHUNK_SIZE;

    public static TestImage write(Path file, int chunks) throws IOException {
        byte[] source = new byte[chunks * CHUNK];
        Random r = new Random(11);
        byte[] line = "OpenDPM multicast test line 0123456789\n".getBytes(StandardCharsets.US_ASCII);
        for (int c = 0; c < chunks; c++) {
            for (int i = 0; i < CHUNK; i++) {
                int at = c * CHUNK + i;
                source[at] = switch (c % 3) {
                case 0 -> 0;
                case 1 -> line[at % line.length];
                default -> (byte) r.nextInt(256);
                };
            }
        }
        ImageHeader header = new ImageHeader(UUID.randomUUID(), CHUNK, Instant.now(), "opendpm-linux", "Model 7",
                new ImageHeader.SourceMachine("m1", "02:00:00:00:00:01", "uuid-1"),
                List.of(new ImageHeader.Disk(1, source.length, 512, new byte[0], List.of())),
                List.of(new ImageHeader.Extent(1, 0, source.length)));
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                ImageWriter w = ImageWriter.create(out, header, ImageWriter.Options.DEFAULT)) {
            w.write(ByteBuffer.wrap(source));
            w.finish();
        }
        return new TestImage(file, source);
    }
}
