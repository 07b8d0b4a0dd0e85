package org.opendpm.image.internal;

/** The constants of docs/image-format.md. */
public final class Format {
    /** "\x89ODPMIMG": the high byte keeps text tools from taking an image for text. */
    public static final byte[] MAGIC = { (byte) 0x89, 'O', 'D', 'P', 'M', 'I', 'M', 'G' };
    /** "ODPMEND\n", the last 8 bytes of a complete image. */
    public static final byte[] END_MAGIC = { 'O', 'D', 'P', 'M', 'E', 'N', 'D', '\n' };
    public static final int VERSION_MAJOR = 1;
    /** A manifest: the 1.0 header, index and trailer with no chunk data; the chunks are in the store beside it. */
    public static final int MANIFEST_MAJOR = 2;
    /** The chunk store's folder inside the image folder; the leading dot keeps it out of the image names. */
    public static final String CHUNK_FOLDER = ".chunks";
    public static final int VERSION_MINOR = 0;
    /** Magic, major, minor, header length. */
    public static final int HEADER_PREFIX = 16;
    public static final int MAX_HEADER = 16 * 1024 * 1024;
    public static final int COMPRESSION_ZSTD = 1;
    public static final int CHECKSUM_SHA256_CRC32C = 1;
    public static final int ENTRY_SIZE = 72;
    public static final int TRAILER_SIZE = 48;
    public static final int FLAG_HOLE = 1;

    private Format() {
    }
}
