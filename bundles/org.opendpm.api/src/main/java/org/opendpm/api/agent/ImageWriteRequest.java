package org.opendpm.api.agent;

import java.util.List;
import java.util.Objects;

/**
 * What {@link AgentLink#writeImage} asks an agent in a Deploy-OS to write.
 *
 * @param disks the machine's disks the chunks go to, with the size the image expects of each: the agent refuses a
 *            disk that is missing or smaller
 * @param chunkSize the image's chunk size (the largest uncompressed length of a chunk)
 * @param fromChunk the first chunk the source gives: 0, or the chunk after the last one the agent confirmed when a
 *            write resumes after the link was lost
 * @param chunks how many chunks the image has in all
 * @param compare whether the agent reads back every chunk's range after the last and compares its SHA-256 (holes
 *            against zeros)
 */
public record ImageWriteRequest(List<ImageDisk> disks, int chunkSize, long fromChunk, long chunks, boolean compare) {

    public ImageWriteRequest {
        disks = List.copyOf(Objects.requireNonNull(disks, "disks"));
        if (disks.isEmpty() || disks.size() > 64 || fromChunk < 0 || fromChunk > chunks) {
            throw new IllegalArgumentException("1 to 64 disks, 0 <= fromChunk <= chunks");
        }
    }
}
