package org.opendpm.api.agent;

import java.util.List;

/**
 * How an image write ended.
 *
 * @param chunks chunks the agent wrote in this request
 * @param bytesWritten bytes it wrote to the disks (holes on a disk that reads as zeros are not written)
 * @param compared whether it compared the written ranges with the image
 * @param mismatches chunks whose range read back differently (at most 100 listed)
 */
public record ImageWriteResult(long chunks, long bytesWritten, boolean compared, List<Mismatch> mismatches) {

    public ImageWriteResult {
        mismatches = List.copyOf(mismatches);
    }

    /** A chunk whose written range does not read back as the image has it. */
    public record Mismatch(long chunk, int disk, long diskOffset) {
    }
}
