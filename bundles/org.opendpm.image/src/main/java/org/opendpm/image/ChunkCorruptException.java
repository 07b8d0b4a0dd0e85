package org.opendpm.image;

/** One chunk whose stored bytes fail their checks; it names the chunk and where its bytes belong on the disk. */
public class ChunkCorruptException extends ImageFormatException {
    private static final long serialVersionUID = 1L;

    private final transient BadChunk bad;

    public ChunkCorruptException(BadChunk bad, long fileOffset) {
        super(bad.describe(), fileOffset);
        this.bad = bad;
    }

    public BadChunk badChunk() {
        return bad;
    }
}
