package org.opendpm.image;

/**
 * A chunk that failed verification.
 *
 * @param number the chunk number
 * @param diskNumber the disk its bytes belong to
 * @param diskOffset where its bytes belong on that disk
 * @param reason what failed (CRC-32C of the stored bytes, decompression, length or SHA-256)
 */
public record BadChunk(long number, int diskNumber, long diskOffset, String reason) {

    public String describe() {
        return "chunk " + number + " (disk " + diskNumber + ", disk offset " + diskOffset + "): " + reason;
    }
}
