package org.opendpm.rest.internal.dto;

import java.util.List;

import org.opendpm.api.images.VerificationReport;

/**
 * What checking every chunk of an image found (IMG-2). {@code ok} is true when every chunk is good;
 * {@code unreadable} says why the image could not be opened at all ({@code null} when it could).
 */
public record ImageVerificationDto(String name, boolean ok, String unreadable, long chunks, long holes,
        long storedBytes, List<BadChunk> badChunks) {

    /** A chunk that failed: where its bytes belong and what failed (CRC-32C, decompression, length, SHA-256). */
    public record BadChunk(long number, int disk, long diskOffset, String reason) {
    }

    public static ImageVerificationDto of(VerificationReport r) {
        return new ImageVerificationDto(r.name(), r.ok(), r.unreadable().orElse(null), r.chunks(), r.holes(),
                r.storedBytes(), r.badChunks().stream()
                        .map(b -> new BadChunk(b.number(), b.disk(), b.diskOffset(), b.reason())).toList());
    }
}
