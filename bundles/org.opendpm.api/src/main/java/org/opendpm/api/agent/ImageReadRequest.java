package org.opendpm.api.agent;

import java.util.List;
import java.util.Objects;

/**
 * What {@link AgentLink#readImage} asks an agent in a Deploy-OS to read: extents of its disks, cut into chunks of
 * {@code chunkSize} from each extent's start, compressed on the machine with zstd at {@code compressionLevel}.
 *
 * @param extents the ranges to read, in image order (1 to 4096)
 * @param chunkSize a power of two, 64 KiB to 64 MiB
 * @param compressionLevel zstd level, 1 to 19
 * @param fromChunk the first chunk to send: 0, or the chunk after the last one taken when a read resumes after the
 *            link was lost
 */
public record ImageReadRequest(List<ImageExtent> extents, int chunkSize, int compressionLevel, long fromChunk) {

    public ImageReadRequest {
        extents = List.copyOf(Objects.requireNonNull(extents, "extents"));
        if (extents.isEmpty() || extents.size() > 4096) {
            throw new IllegalArgumentException("1 to 4096 extents");
        }
        if (Integer.bitCount(chunkSize) != 1 || chunkSize < 65536 || chunkSize > 64 << 20) {
            throw new IllegalArgumentException("chunk size must be a power of two from 64 KiB to 64 MiB");
        }
        if (compressionLevel < 1 || compressionLevel > 19 || fromChunk < 0) {
            throw new IllegalArgumentException("compression level 1 to 19, fromChunk at least 0");
        }
    }
}
