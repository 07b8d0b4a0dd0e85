package org.opendpm.api.images;

import java.util.List;
import java.util.Optional;

/**
 * What checking every chunk of an image found (IMG-2).
 *
 * @param name the image name
 * @param unreadable why the image could not be opened at all (damaged header, index or trailer; truncated); the
 *        counts are then 0
 * @param chunks chunks checked
 * @param holes of them, all-zero chunks (nothing stored, nothing to check)
 * @param storedBytes stored bytes checked
 * @param badChunks the chunks that failed, in order
 */
public record VerificationReport(String name, Optional<String> unreadable, long chunks, long holes, long storedBytes,
        List<BadChunk> badChunks) {

    public VerificationReport {
        badChunks = List.copyOf(badChunks);
    }

    /** Every chunk is good. */
    public boolean ok() {
        return unreadable.isEmpty() && badChunks.isEmpty();
    }

    /**
     * A chunk that failed.
     *
     * @param number the chunk number
     * @param disk the disk its bytes belong to
     * @param diskOffset where its bytes belong on that disk
     * @param reason what failed (CRC-32C of the stored bytes, decompression, length or SHA-256)
     */
    public record BadChunk(long number, int disk, long diskOffset, String reason) {
    }
}
