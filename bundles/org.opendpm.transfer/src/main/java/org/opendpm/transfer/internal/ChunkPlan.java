package org.opendpm.transfer.internal;

import java.util.List;

import org.opendpm.api.agent.ImageExtent;

/**
 * Where each chunk of an image read belongs: chunks are cut from each extent's own start, the last of an extent may
 * be short, and they are numbered across the extents in order. Walked forward one chunk at a time from the first one
 * asked for, so checking a chunk's place costs nothing whatever the number of extents.
 */
final class ChunkPlan {

    private final List<ImageExtent> extents;
    private final int chunkSize;
    private final long total;
    private final long bytesFrom;

    // The next chunk's place.
    private long next;
    private int extent;
    private long offsetInExtent;

    ChunkPlan(List<ImageExtent> extents, int chunkSize, long fromChunk) {
        this.extents = extents;
        this.chunkSize = chunkSize;
        long count = 0;
        long bytes = 0;
        int at = -1;
        long skip = 0;
        for (int i = 0; i < extents.size(); i++) {
            long n = (extents.get(i).length() + chunkSize - 1) / chunkSize;
            if (at < 0 && fromChunk < count + n) {
                at = i;
                skip = fromChunk - count;
                bytes += extents.get(i).length() - skip * chunkSize;
            } else if (at >= 0) {
                bytes += extents.get(i).length();
            }
            count += n;
        }
        this.total = count;
        this.bytesFrom = bytes;
        this.next = fromChunk;
        this.extent = at < 0 ? extents.size() : at;
        this.offsetInExtent = skip * chunkSize;
    }

    /** The number of chunks of all extents. */
    long total() {
        return total;
    }

    /** Uncompressed bytes of the chunks from the first one asked for to the end. */
    long bytesFromStart() {
        return bytesFrom;
    }

    /** The number the next chunk must have. */
    long next() {
        return next;
    }

    boolean done() {
        return extent >= extents.size();
    }

    /** The next chunk's disk; not when {@link #done()}. */
    int disk() {
        return extents.get(extent).disk();
    }

    /** The next chunk's offset on its disk. */
    long diskOffset() {
        return extents.get(extent).offset() + offsetInExtent;
    }

    /** The next chunk's length. */
    int length() {
        return (int) Math.min(chunkSize, extents.get(extent).length() - offsetInExtent);
    }

    /** Moves to the chunk after the next one. */
    void advance() {
        offsetInExtent += length();
        next++;
        if (offsetInExtent >= extents.get(extent).length()) {
            extent++;
            offsetInExtent = 0;
        }
    }
}
