package org.opendpm.image.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageReader;
import org.opendpm.image.ImageReader.RestoreOptions;
import org.opendpm.image.ImageWriter;
import org.opendpm.image.ProgressListener;
import org.opendpm.image.RestoreTarget;

/**
 * The image side of bench/image/run.sh: {@code gen FILE MIB} writes the test disk, {@code backup DISK IMAGE [LEVEL]
 * [THREADS]} images it whole, {@code restore IMAGE DISK [zeroed]} restores it (holes written as zeros unless
 * {@code zeroed}). Each prints one line of figures; the script times the whole process.
 */
public final class ImageBench {

    private ImageBench() {
    }

    public static void main(String[] args) throws IOException {
        switch (args[0]) {
        case "gen" -> gen(Path.of(args[1]), Integer.parseInt(args[2]));
        case "backup" -> backup(Path.of(args[1]), Path.of(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 1,
                args.length > 4 ? Integer.parseInt(args[4]) : 2);
        case "restore" -> restore(Path.of(args[1]), Path.of(args[2]), args.length > 3 && "zeroed".equals(args[3]));
        default -> throw new IllegalArgumentException("gen | backup | restore");
        }
    }

    /**
     * Per 16 MiB: 4 MiB of zeros, 6 MiB of log-like text (compresses about 4:1 with zstd -1), 6 MiB of random bytes;
     * the same bytes for the same size on every run (fixed seed).
     */
    private static void gen(Path file, int mib) throws IOException {
        if (mib % 16 != 0) {
            throw new IllegalArgumentException("size must be a multiple of 16 MiB");
        }
        SplittableRandom random = new SplittableRandom(20261207L);
        String[] words = ("agent backup restore chunk disk partition scenario machine group deploy image verify zstd "
                + "kernel initrd boot network multicast server client status error warning info debug").split(" ");
        byte[] zeros = new byte[4 << 20];
        byte[] text = new byte[6 << 20];
        byte[] noise = new byte[6 << 20];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            for (int block = 0; block < mib / 16; block++) {
                out.write(zeros);
                StringBuilder s = new StringBuilder(text.length + 200);
                while (s.length() < text.length) {
                    s.append("2026-12-07T").append(random.nextInt(24)).append(':').append(random.nextInt(60))
                            .append(':').append(random.nextInt(60)).append(" host-").append(random.nextInt(2000))
                            .append(' ').append(words[random.nextInt(words.length)]).append(": ");
                    for (int w = random.nextInt(4, 12); w > 0; w--) {
                        s.append(words[random.nextInt(words.length)]).append(' ');
                    }
                    s.append(random.nextLong(1L << 40)).append('\n');
                }
                byte[] t = s.toString().getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(t, 0, text, 0, text.length);
                out.write(text);
                for (int i = 0; i < noise.length; i += 8) {
                    long v = random.nextLong();
                    for (int k = 0; k < 8; k++) {
                        noise[i + k] = (byte) (v >>> (8 * k));
                    }
                }
                out.write(noise);
            }
        }
    }

    private static void backup(Path disk, Path image, int level, int threads) throws IOException {
        long size = Files.size(disk);
        try (FileChannel in = FileChannel.open(disk, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                ImageWriter w = ImageWriter.create(out, ImageHeader.wholeDisk(size, ImageHeader.DEFAULT_CHUNK_SIZE),
                        ImageWriter.Options.DEFAULT.withCompressionLevel(level).withThreads(threads))) {
            w.transferFrom(in);
            System.out.println(w.finish());
        }
    }

    private static void restore(Path image, Path disk, boolean zeroed) throws IOException {
        try (ImageReader r = ImageReader.open(image);
                FileChannel out = FileChannel.open(disk, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
            System.out.println(r.restore(RestoreTarget.of(out), new RestoreOptions(zeroed, 2, ProgressListener.NONE)));
            if (zeroed) {
                // Trailing holes were skipped: the disk file gets its full size as a real disk has.
                out.truncate(r.header().totalBytes());
                if (out.size() < r.header().totalBytes()) {
                    out.write(java.nio.ByteBuffer.allocate(1), r.header().totalBytes() - 1);
                }
            }
        }
    }
}
