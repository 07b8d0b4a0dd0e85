package org.opendpm.image;

import java.io.IOException;

/**
 * An image that does not follow docs/image-format.md: the message names what is wrong and the file offset where it
 * was found ({@link #offset()}, -1 when the fault has no single place, such as a file too short to hold a trailer).
 */
public class ImageFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long offset;

    public ImageFormatException(String message, long offset) {
        super(offset >= 0 ? message + " (at file offset " + offset + ")" : message);
        this.offset = offset;
    }

    /** The file offset of the fault, or -1. */
    public long offset() {
        return offset;
    }
}
