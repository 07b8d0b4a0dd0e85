package org.opendpm.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;

import org.opendpm.image.ImageHeader.Extent;
import org.opendpm.image.internal.ChunkCodec;
import org.opendpm.image.internal.Format;
import org.opendpm.image.internal.HeaderCodec;
import org.opendpm.image.internal.IndexBuilder;
import org.opendpm.image.internal.OrderedPool;

/**
 * Streams a source into an image: the header first, then each chunk as soon as it and all before it are compressed,
 * then the index and trailer on {@link #finish()}. The output is written strictly in order and never revisited, so
 * it may be a socket as well as a file. The source bytes are given in image order (the header's extents one after
 * another) through {@link #write(ByteBuffer)} or {@link #transferFrom(ReadableByteChannel)}; chunks are compressed
 * on a small pool of threads.
 *
 * <p>
 * A manifest ({@link #create(WritableByteChannel, ImageHeader, Options, ChunkStore.Writing)}) is written the same
 * way, but each chunk's stored bytes go to the chunk store (unless it has them) and only its entry to the manifest.
 *
 * <p>
 * Not thread-safe: one thread feeds a writer. {@link #close()} without {@link #finish()} abandons the image (it has
 * no trailer, so every reader refuses it).
 */
public final class ImageWriter implements AutoCloseable {

    /**
     * @param compressionLevel zstd level, 1 to 19 (1 by default: the image is written at the speed of the disk)
     * @param threads compression threads, 1 to 64 (2 by default)
     * @param progress told the source bytes done after each chunk
     */
    public record Options(int compressionLevel, int threads, ProgressListener progress) {
        public static final Options DEFAULT = new Options(1, 2, ProgressListener.NONE);

        public Options {
            if (compressionLevel < 1 || compressionLevel > 19) {
                throw new IllegalArgumentException("compression level " + compressionLevel + " outside 1..19");
            }
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("threads " + threads + " outside 1..64");
            }
            java.util.Objects.requireNonNull(progress, "progress");
        }

        public Options withCompressionLevel(int level) {
            return new Options(level, threads, progress);
        }

        public Options withThreads(int n) {
            return new Options(compressionLevel, n, progress);
        }

        public Options withProgress(ProgressListener p) {
            return new Options(compressionLevel, threads, p);
        }
    }

    /** What a finished image holds. */
    public record Summary(long chunks, long holes, long sourceBytes, long imageBytes) {
    }

    /** A chunk's buffers: direct, so the source reads, zstd and the image writes use them without a copy. */
    private record Slot(ByteBuffer src, ByteBuffer dst) {
    }

    private record Done(long number, int diskNumber, long diskOffset, int length, Slot slot,
            ChunkCodec.Compressed compressed) {
    }

    private static final byte[] NO_SHA = new byte[32];

    private final WritableByteChannel out;
    /** Where a manifest's chunks go; null for a single-file image. */
    private final ChunkStore.Writing chunks;
    private final ImageHeader header;
    private final Options options;
    private final OrderedPool<Done> pool;
    private final ArrayDeque<Slot> free = new ArrayDeque<>();
    private final ByteBuffer zeros;
    private final long total;
    private final IndexBuilder index = new IndexBuilder();

    // Where the source stands: the extent being read and the chunk being filled.
    private int extent;
    private long withinExtent;
    private long chunkNumber;
    private Slot current;
    private int fill;
    private int chunkLength;

    private long accepted;
    private long position;
    private long doneBytes;
    private long holes;
    private boolean finished;

    private ImageWriter(WritableByteChannel out, ImageHeader header, Options options, ChunkStore.Writing chunks) {
        this.out = out;
        this.chunks = chunks;
        this.header = header;
        this.options = options;
        this.pool = new OrderedPool<>(options.threads(), "opendpm-image-writer");
        this.zeros = ByteBuffer.allocateDirect(header.chunkSize());
        this.total = header.totalBytes();
        current = nextSlot();
        chunkLength = nextChunkLength();
    }

    /** Writes the header to {@code out} and returns a writer for the source bytes. */
    public static ImageWriter create(WritableByteChannel out, ImageHeader header, Options options) throws IOException {
        return create(out, header, options, null);
    }

    /**
     * Writes a manifest's header to {@code out} and returns a writer that puts each chunk into {@code chunks} (a
     * single-file image when null) and its entry into the manifest. The caller puts the manifest in place after
     * {@link #finish()}, then closes {@code chunks}.
     */
    public static ImageWriter create(WritableByteChannel out, ImageHeader header, Options options,
            ChunkStore.Writing chunks) throws IOException {
        ImageWriter w = new ImageWriter(out, header, options, chunks);
        try {
            w.writeFully(HeaderCodec.encode(header, chunks == null ? Format.VERSION_MAJOR : Format.MANIFEST_MAJOR));
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
        return w;
    }

    /** Source bytes still expected. */
    public long remaining() {
        return total - accepted;
    }

    /** Takes the next source bytes, in image order. */
    public void write(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            if (chunkLength == 0) {
                throw new IOException("the source has more bytes than the header's extents (" + total + ")");
            }
            int n = Math.min(src.remaining(), chunkLength - fill);
            current.src().put(fill, src, src.position(), n);
            src.position(src.position() + n);
            fill += n;
            accepted += n;
            if (fill == chunkLength) {
                dispatch();
            }
        }
    }

    /**
     * Reads the source from {@code in} until every extent is filled or {@code in} ends; returns the bytes read. A
     * source that ends early is found by {@link #finish()}.
     */
    public long transferFrom(ReadableByteChannel in) throws IOException {
        long read = 0;
        while (chunkLength > 0) {
            int r = Io.read(in, current.src().clear().limit(chunkLength).position(fill));
            if (r < 0) {
                break;
            }
            read += r;
            fill += r;
            accepted += r;
            if (fill == chunkLength) {
                dispatch();
            }
        }
        return read;
    }

    /** Length of the chunk to fill next, 0 when every extent is done. */
    private int nextChunkLength() {
        while (extent < header.extents().size()) {
            Extent e = header.extents().get(extent);
            if (withinExtent < e.length()) {
                return (int) Math.min(header.chunkSize(), e.length() - withinExtent);
            }
            extent++;
            withinExtent = 0;
        }
        return 0;
    }

    private void dispatch() throws IOException {
        Extent e = header.extents().get(extent);
        long number = chunkNumber++;
        int diskNumber = e.diskNumber();
        long diskOffset = e.offset() + withinExtent;
        int length = chunkLength;
        Slot slot = current;
        if (pool.full()) {
            drainOne();
        }
        if (slot.src().duplicate().clear().limit(length).mismatch(zeros.duplicate().limit(length)) == -1) {
            pool.done(new Done(number, diskNumber, diskOffset, length, slot, null));
        } else {
            int level = options.compressionLevel();
            pool.submit(() -> new Done(number, diskNumber, diskOffset, length, slot,
                    ChunkCodec.compress(slot.src(), length, slot.dst(), level)));
        }
        withinExtent += length;
        fill = 0;
        chunkLength = nextChunkLength();
        current = nextSlot();
    }

    /**
     * A free slot, or a new one while the pipeline fills (at most one per chunk in flight plus the one being filled):
     * zeroing them all up front delays the first chunk, and a small source needs few.
     */
    private Slot nextSlot() {
        return free.isEmpty()
                ? new Slot(ByteBuffer.allocateDirect(header.chunkSize()),
                        ByteBuffer.allocateDirect((int) ChunkCodec.maxStored(header.chunkSize())))
                : free.remove();
    }

    private void drainOne() throws IOException {
        Done d = pool.take();
        ChunkEntry entry;
        if (d.compressed() == null) {
            entry = new ChunkEntry(d.number(), d.diskNumber(), d.diskOffset(), d.length(), 0, 0, 0, NO_SHA);
            holes++;
        } else {
            ChunkCodec.Compressed c = d.compressed();
            entry = new ChunkEntry(d.number(), d.diskNumber(), d.diskOffset(), d.length(),
                    chunks == null ? position : 0, c.storedLength(), c.crc32c(), c.sha256());
            ByteBuffer stored = d.slot().dst().clear().limit(c.storedLength());
            if (chunks == null) {
                writeFully(stored);
            } else {
                chunks.put(entry, stored);
            }
        }
        index.add(entry);
        free.add(d.slot());
        doneBytes += d.length();
        options.progress().progress(doneBytes, total);
    }

    private void writeFully(ByteBuffer b) throws IOException {
        position += b.remaining();
        Io.writeFully(out, b);
    }

    /**
     * Writes the remaining chunks, the index and the trailer. Fails, leaving the image without a trailer, when the
     * source gave fewer bytes than the header's extents hold.
     */
    public Summary finish() throws IOException {
        if (finished) {
            throw new IllegalStateException("finished already");
        }
        if (chunkLength != 0) {
            throw new IOException("the source ended after " + accepted + " of " + total + " bytes");
        }
        while (!pool.isEmpty()) {
            drainOne();
        }
        if (chunks != null) {
            chunks.sync();
        }
        long indexOffset = position;
        writeFully(index.index());
        writeFully(index.trailer(indexOffset, header.imageId()));
        finished = true;
        pool.close();
        return new Summary(chunkNumber, holes, total, position);
    }

    /** Stops the compression threads; the channel is the caller's to close. */
    @Override
    public void close() {
        pool.close();
    }
}
