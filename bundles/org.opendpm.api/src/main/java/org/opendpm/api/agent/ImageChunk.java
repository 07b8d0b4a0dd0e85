package org.opendpm.api.agent;

import java.nio.ByteBuffer;

/**
 * One chunk of a disk image as it crosses the agent link (docs/image-format.md, "Chunks"): where it belongs, its
 * checks and its stored (zstd-compressed) bytes. The network only ever carries stored bytes.
 *
 * @param number the chunk's number in the image, from 0
 * @param disk the disk it belongs to
 * @param diskOffset where its bytes go on that disk
 * @param length its uncompressed length
 * @param hole whether it is all zeros (then nothing is stored: {@code storedLength} 0, {@code stored} null)
 * @param storedLength the stored length
 * @param crc32c CRC-32C of the stored bytes (0 for a hole)
 * @param sha256 SHA-256 of the uncompressed bytes, 32 bytes (zeros for a hole)
 * @param stored the stored bytes, position to limit; only valid during the call it is given in
 */
public record ImageChunk(long number, int disk, long diskOffset, int length, boolean hole, int storedLength,
        int crc32c, byte[] sha256, ByteBuffer stored) {
}
