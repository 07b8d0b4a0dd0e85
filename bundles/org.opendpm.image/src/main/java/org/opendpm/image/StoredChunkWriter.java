package org.opendpm.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

import org.opendpm.image.ImageHeader.ChunkLocation;
import org.opendpm.image.internal.ChunkCodec;
import org.opendpm.image.internal.Format;
import org.opendpm.image.internal.HeaderCodec;
import org.opendpm.image.internal.IndexBuilder;

/**
 * Writes an image from chunks that were compressed elsewhere (by the agent on the machine): the header first, then
 * each chunk's stored bytes as it is {@link #append appended}, then the index and trailer on {@link #finish()}. The
 * result is the image {@link ImageWriter} makes of the same source, byte for byte.
 *
 * <p>
 * Chunks must come in number order, each in the place the header's extents give it, with a stored length within
 * zstd's bound and its CRC-32C right; anything else is refused before a byte of it is written. A chunk is written
 * whole or the writer is broken (every later call fails), so a transfer that resumes after a lost connection asks for
 * {@link #nextChunk()} and appends from there: nothing has to be cut back. The output is written strictly in order.
 *
 * <p>
 * A manifest ({@link #createManifest}) is written the same way, but each chunk's stored bytes go to the chunk store
 * (unless it has them) and only its entry to the manifest.
 *
 * <p>
 * Not thread-safe. Holds no threads: nothing to close; the channel and the store's writing are the caller's.
 */
public final class StoredChunkWriter {

    private static final byte[] NO_SHA = new byte[32];

    private final WritableByteChannel out;
    /** Where a manifest's chunks go; null for a single-file image. */
    private final ChunkStore.Writing chunks;
    private final ImageHeader header;
    private final long chunkCount;
    private final int maxStored;
    private final IndexBuilder index = new IndexBuilder();
    private final CRC32C crc = new CRC32C();
    private long position;
    private long next;
    private long sourceBytes;
    private long storedBytes;
    private long holes;
    private boolean broken;
    private boolean finished;

    private StoredChunkWriter(WritableByteChannel out, ImageHeader header, ChunkStore.Writing chunks) {
        this.out = out;
        this.chunks = chunks;
        this.header = header;
        this.chunkCount = header.chunkCount();
        this.maxStored = (int) ChunkCodec.maxStored(header.chunkSize());
    }

    /** Writes the header to {@code out} and returns a writer for the chunks. */
    public static StoredChunkWriter create(WritableByteChannel out, ImageHeader header) throws IOException {
        StoredChunkWriter w = new StoredChunkWriter(Objects.requireNonNull(out, "out"),
                Objects.requireNonNull(header, "header"), null);
        w.write(HeaderCodec.encode(header));
        return w;
    }

    /**
     * Writes a manifest's header to {@code out} and returns a writer that puts each chunk into {@code chunks} and its
     * entry into the manifest. The caller puts the manifest in place after {@link #finish()}, then closes
     * {@code chunks}.
     */
    public static StoredChunkWriter createManifest(WritableByteChannel out, ImageHeader header,
            ChunkStore.Writing chunks) throws IOException {
        StoredChunkWriter w = new StoredChunkWriter(Objects.requireNonNull(out, "out"),
                Objects.requireNonNull(header, "header"), Objects.requireNonNull(chunks, "chunks"));
        w.write(HeaderCodec.encode(header, Format.MANIFEST_MAJOR));
        return w;
    }

    public ImageHeader header() {
        return header;
    }

    /** The number of the chunk {@link #append} expects next: the chunks below it are written. */
    public long nextChunk() {
        return next;
    }

    /** Whether every chunk the header's extents make is written. */
    public boolean complete() {
        return next == chunkCount;
    }

    /** Source bytes of the chunks written so far, holes included. */
    public long sourceBytes() {
        return sourceBytes;
    }

    /** Stored bytes of the chunks written so far, in the file or (for a manifest) in the chunk store. */
    public long storedBytes() {
        return storedBytes;
    }

    /** Whether this writes a manifest, its chunks in the chunk store. */
    public boolean manifest() {
        return chunks != null;
    }

    /**
     * Appends the next chunk.
     *
     * @param entry the chunk as the index will have it; its {@code fileOffset} is ignored (the writer places it)
     * @param stored its stored bytes, position to limit (exactly {@code entry.storedLength()}; none for a hole)
     * @throws IllegalArgumentException when the chunk is not the next one, not where the extents put it, or its
     *         stored bytes do not match the entry; nothing is written then and the writer stays usable
     * @throws IOException when writing fails; the writer is broken then
     */
    public void append(ChunkEntry entry, ByteBuffer stored) throws IOException {
        if (broken || finished) {
            throw new IllegalStateException(finished ? "the image is finished" : "an earlier write failed");
        }
        String fault = fault(entry, stored);
        if (fault != null) {
            throw new IllegalArgumentException("chunk " + entry.number() + " (disk " + entry.diskNumber()
                    + ", disk offset " + entry.diskOffset() + "): " + fault);
        }
        long at = entry.hole() || chunks != null ? 0 : position;
        if (entry.hole()) {
            holes++;
        } else if (chunks != null) {
            try {
                chunks.put(entry, stored.duplicate());
            } catch (IOException | RuntimeException e) {
                broken = true;
                throw e;
            }
        } else {
            write(stored.duplicate());
        }
        index.add(new ChunkEntry(entry.number(), entry.diskNumber(), entry.diskOffset(), entry.length(), at,
                entry.storedLength(), entry.storedCrc32c(), entry.sha256()));
        sourceBytes += entry.length();
        storedBytes += entry.storedLength();
        next++;
    }

    private String fault(ChunkEntry e, ByteBuffer stored) {
        if (e.number() != next) {
            return next == chunkCount
                    ? "the image has only " + chunkCount + " chunks"
                    : "out of order: chunk " + next + " comes next";
        }
        ChunkLocation l = header.chunkAt(next);
        if (e.diskNumber() != l.diskNumber() || e.diskOffset() != l.diskOffset() || e.length() != l.length()) {
            return "misplaced: the header's extents put chunk " + next + " on disk " + l.diskNumber() + " at "
                    + l.diskOffset() + " with " + l.length() + " bytes, not " + e.length() + " bytes";
        }
        int have = stored == null ? 0 : stored.remaining();
        if (have != e.storedLength()) {
            return have + " stored bytes given, the entry says " + e.storedLength();
        }
        if (e.hole()) {
            return e.storedCrc32c() != 0 || !Arrays.equals(e.sha256(), NO_SHA)
                    ? "a hole with a CRC-32C or SHA-256 that is not zero"
                    : null;
        }
        if (e.storedLength() > maxStored) {
            return e.storedLength() + " stored bytes, more than zstd's bound " + maxStored;
        }
        crc.reset();
        crc.update(stored.duplicate());
        if ((int) crc.getValue() != e.storedCrc32c()) {
            return "stored bytes fail their CRC-32C (entry " + Integer.toHexString(e.storedCrc32c()) + ", computed "
                    + Integer.toHexString((int) crc.getValue()) + ")";
        }
        return null;
    }

    /** Writes the index and trailer; fails unless every chunk was appended. */
    public ImageWriter.Summary finish() throws IOException {
        if (broken || finished) {
            throw new IllegalStateException(finished ? "finished already" : "an earlier write failed");
        }
        if (next != chunkCount) {
            throw new IOException("only " + next + " of " + chunkCount + " chunks were written");
        }
        if (chunks != null) {
            chunks.sync();
        }
        long indexOffset = position;
        write(index.index());
        write(index.trailer(indexOffset, header.imageId()));
        finished = true;
        return new ImageWriter.Summary(chunkCount, holes, sourceBytes, position);
    }

    private void write(ByteBuffer b) throws IOException {
        int n = b.remaining();
        try {
            Io.writeFully(out, b);
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw e;
        }
        position += n;
    }
}
