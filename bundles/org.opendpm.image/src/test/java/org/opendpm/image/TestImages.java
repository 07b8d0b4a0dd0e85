package org.opendpm.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.zip.CRC32C;

/** Deterministic source bytes and images for the tests, and the documented layout for damaging them. */
final class TestImages {
    static final int CHUNK = ImageHeader.MIN_CHUNK_SIZE;

    private TestImages() {
    }

    /**
     * Zeros (two chunks long, so one whole chunk is zero however runs fall), text and random bytes (one chunk, the
     * first random run 1234 bytes longer so runs do not align to chunks), from a fixed seed.
     */
    static byte[] source(int length, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[length];
        byte[] line = "OpenDPM image test line: the quick brown fox jumps over the lazy dog 0123456789\n"
                .getBytes(StandardCharsets.US_ASCII);
        int at = 0;
        int kind = 0;
        while (at < length) {
            int run = Math.min(length - at, CHUNK * (kind % 3 == 0 ? 2 : 1) + (kind == 2 ? 1234 : 0));
            switch (kind % 3) {
            case 0 -> {
                // zeros: left as they are
            }
            case 1 -> {
                for (int i = 0; i < run; i++) {
                    b[at + i] = line[(at + i) % line.length];
                }
            }
            default -> {
                byte[] rnd = new byte[run];
                r.nextBytes(rnd);
                System.arraycopy(rnd, 0, b, at, run);
            }
            }
            at += run;
            kind++;
        }
        return b;
    }

    static ImageWriter.Summary write(Path image, ImageHeader header, byte[] source) throws IOException {
        try (FileChannel out = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
                ImageWriter w = ImageWriter.create(out, header,
                        ImageWriter.Options.DEFAULT)) {
            w.write(ByteBuffer.wrap(source));
            return w.finish();
        }
    }

    static long indexOffset(Path image) throws IOException {
        byte[] b = Files.readAllBytes(image);
        return ByteBuffer.wrap(b).getLong(b.length - 48);
    }

    /** Recomputes the index CRC and the trailer CRC after a test changed index bytes on purpose. */
    static void resealIndex(Path image) throws IOException {
        byte[] b = Files.readAllBytes(image);
        ByteBuffer buf = ByteBuffer.wrap(b);
        int trailer = b.length - 48;
        int index = (int) buf.getLong(trailer);
        CRC32C crc = new CRC32C();
        crc.update(b, index, trailer - index);
        buf.putInt(trailer + 32, (int) crc.getValue());
        crc.reset();
        crc.update(b, trailer, 36);
        buf.putInt(trailer + 36, (int) crc.getValue());
        Files.write(image, b);
    }

    /** Recomputes the header CRC after a test changed header bytes on purpose. */
    static void resealHeader(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        int length = buf.getInt(12);
        CRC32C crc = new CRC32C();
        crc.update(b, 0, length - 4);
        buf.putInt(length - 4, (int) crc.getValue());
    }
}
