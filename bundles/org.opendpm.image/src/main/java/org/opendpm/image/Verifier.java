package org.opendpm.image;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks every chunk of an image without restoring it: the CRC-32C of its stored bytes, that zstd decompresses them
 * to the chunk's length, and the SHA-256 of the result. The header, trailer and index were checked when the image
 * was opened.
 */
public final class Verifier {

    /**
     * @param chunks chunks in the image
     * @param holes of them, all-zero chunks (nothing stored, nothing to check)
     * @param storedBytes stored bytes checked
     * @param bad the chunks that failed, in order
     */
    public record Report(long chunks, long holes, long storedBytes, List<BadChunk> bad) {
        public Report {
            bad = List.copyOf(bad);
        }

        public boolean ok() {
            return bad.isEmpty();
        }
    }

    private Verifier() {
    }

    /** Checks every chunk on {@code threads} threads (1 to 64), reporting progress in source bytes. */
    public static Report verify(ImageReader image, int threads, ProgressListener progress) throws IOException {
        if (threads < 1 || threads > 64) {
            throw new IllegalArgumentException("threads " + threads + " outside 1..64");
        }
        List<BadChunk> bad = new ArrayList<>();
        long[] counts = { 0, 0, 0 };
        long total = image.header().totalBytes();
        image.scan(threads, (e, plain, fault) -> {
            if (fault != null) {
                bad.add(fault);
            }
            if (e.hole()) {
                counts[0]++;
            }
            counts[1] += e.storedLength();
            counts[2] += e.length();
            progress.progress(counts[2], total);
            return true;
        });
        return new Report(image.chunkCount(), counts[0], counts[1], bad);
    }

    public static Report verify(ImageReader image) throws IOException {
        return verify(image, 2, ProgressListener.NONE);
    }
}
