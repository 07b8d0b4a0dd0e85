package org.opendpm.api.agent;

/**
 * A byte range of one of the machine's disks that an image holds: a whole disk or one partition.
 *
 * @param disk the disk's number as the agent numbers disks (IMG-4)
 * @param offset where the range starts on the disk, in bytes
 * @param length its length in bytes, at least 1
 */
public record ImageExtent(int disk, long offset, long length) {

    public ImageExtent {
        if (disk < 1 || disk > 65535 || offset < 0 || length < 1 || offset > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException(
                    "bad extent: disk " + disk + ", offset " + offset + ", length " + length);
        }
    }
}
