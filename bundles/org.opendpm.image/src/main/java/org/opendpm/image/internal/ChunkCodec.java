package org.opendpm.image.internal;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.zip.CRC32C;

import org.opendpm.image.BadChunk;
import org.opendpm.image.ChunkEntry;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;

/** Compresses and checks one chunk; no I/O, safe to call from any thread. */
public final class ChunkCodec {

    private ChunkCodec() {
    }

    /** The largest stored length a chunk of {@code chunkSize} bytes may have: zstd's worst case. */
    public static long maxStored(int chunkSize) {
        return Zstd.compressBound(chunkSize);
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** Stored bytes and checks of one chunk, as the writer produces them. */
    public record Compressed(byte[] sha256, int storedLength, int crc32c) {
    }

    /**
     * Compresses {@code src[0, length)} into {@code dst} (of at least {@link #maxStored} bytes); both direct, as the
     * writer reads the source and writes the image through them without a copy. Positions and limits are not used.
     */
    public static Compressed compress(ByteBuffer src, int length, ByteBuffer dst, int level) {
        MessageDigest sha = sha256();
        sha.update(src.duplicate().clear().limit(length));
        long n = Zstd.compressDirectByteBuffer(dst.duplicate().clear(), 0, dst.capacity(), src.duplicate().clear(), 0,
                length, level);
        if (Zstd.isError(n)) {
            throw new IllegalStateException("zstd: " + Zstd.getErrorName(n));
        }
        CRC32C crc = new CRC32C();
        crc.update(dst.duplicate().clear().limit((int) n));
        return new Compressed(sha.digest(), (int) n, (int) crc.getValue());
    }

    /**
     * Checks {@code stored[0, storedLength)} against its entry and decompresses it into {@code dst[0, length)}: null
     * when all is well, else what is wrong. Both buffers direct (the restore's, no copy between heap and native memory
     * on the way from the image file to the disk) or both on the heap; their positions and limits are not used.
     */
    public static BadChunk check(ChunkEntry e, ByteBuffer stored, ByteBuffer dst) {
        CRC32C crc = new CRC32C();
        crc.update(stored.duplicate().position(0).limit(e.storedLength()));
        if ((int) crc.getValue() != e.storedCrc32c()) {
            return bad(e, "stored bytes fail their CRC-32C (index " + Integer.toHexString(e.storedCrc32c())
                    + ", computed " + Integer.toHexString((int) crc.getValue()) + ")");
        }
        long n;
        try {
            n = stored.isDirect() && dst.isDirect()
                    ? Zstd.decompressDirectByteBuffer(dst.duplicate().clear(), 0, e.length(),
                            stored.duplicate().clear(),
                            0, e.storedLength())
                    : Zstd.decompressByteArray(dst.array(), dst.arrayOffset(), e.length(), stored.array(),
                            stored.arrayOffset(), e.storedLength());
        } catch (ZstdException x) {
            return bad(e, "zstd cannot decompress the stored bytes: " + x.getMessage());
        }
        if (Zstd.isError(n)) {
            return bad(e, "zstd cannot decompress the stored bytes: " + Zstd.getErrorName(n));
        }
        if (n != e.length()) {
            return bad(e, "decompresses to " + n + " bytes, the index says " + e.length());
        }
        MessageDigest sha = sha256();
        sha.update(dst.duplicate().position(0).limit(e.length()));
        if (!Arrays.equals(sha.digest(), e.sha256())) {
            return bad(e, "uncompressed bytes fail their SHA-256");
        }
        return null;
    }

    private static BadChunk bad(ChunkEntry e, String reason) {
        return new BadChunk(e.number(), e.diskNumber(), e.diskOffset(), reason);
    }
}
