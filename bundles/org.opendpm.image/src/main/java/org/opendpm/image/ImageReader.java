package org.opendpm.image;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

import org.opendpm.image.ImageHeader.ChunkLocation;
import org.opendpm.image.internal.ChunkCodec;
import org.opendpm.image.internal.Format;
import org.opendpm.image.internal.HeaderCodec;
import org.opendpm.image.internal.IndexCodec;
import org.opendpm.image.internal.OrderedPool;

/**
 * An image opened for reading. {@link #open} checks the header, trailer and every index entry against the file
 * before anything else is read: each length and count is bounded by the format's limits and by the file's size before
 * it sizes an allocation, so a damaged or hostile file ends in an {@link ImageFormatException}, never in a huge
 * allocation. Chunks are then read one by one ({@link #readChunk}, checked) or all in order ({@link #restore}).
 *
 * <p>
 * It reads both a single-file image (format 1.0, chunks inside the file) and a manifest (format 2.0, chunks in the
 * {@link ChunkStore} of the folder the manifest is in) through the same methods. A manifest's chunk that is missing
 * from the store, or of another size than its entry says, is a bad chunk named like any other.
 *
 * <p>
 * Thread-safe for reads; closing closes the channel.
 */
public final class ImageReader implements AutoCloseable {

    /**
     * @param targetZeroed the target reads as zeros where it is not written (a new disk file, a discarded device):
     *        holes are skipped instead of written
     * @param threads decompression threads, 1 to 64
     * @param progress told the source bytes done after each chunk
     */
    public record RestoreOptions(boolean targetZeroed, int threads, ProgressListener progress) {
        public static final RestoreOptions DEFAULT = new RestoreOptions(false, 2, ProgressListener.NONE);

        public RestoreOptions {
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("threads " + threads + " outside 1..64");
            }
            Objects.requireNonNull(progress, "progress");
        }
    }

    /** What a restore wrote. */
    public record RestoreSummary(long chunks, long holesSkipped, long bytesWritten) {
    }

    /**
     * Called in chunk order by {@link #scan}: plain bytes (position 0, limit the chunk's length; null for a hole), valid
     * only during the call, or what is wrong with the chunk.
     */
    interface ChunkVisitor {
        /** Returns false to stop. */
        boolean visit(ChunkEntry entry, ByteBuffer plain, BadChunk bad) throws IOException;
    }

    private final SeekableByteChannel channel;
    /** The folder of a manifest's chunk store, null for a single-file image. */
    private final Path chunkFolder;
    private final long size;
    private final ImageHeader header;
    /** "major.minor" as the file says, the major one this reader reads. */
    private final String formatVersion;
    private final ByteBuffer index;
    private final long indexOffset;
    private final long chunkCount;
    private final int indexCrc32c;
    private long storedBytes;

    private ImageReader(SeekableByteChannel channel, Path folder) throws IOException {
        this.channel = channel;
        this.size = channel.size();
        int minimum = Format.HEADER_PREFIX + 4 + Format.TRAILER_SIZE;
        ByteBuffer prefix = read(0, (int) Math.min(size, Format.HEADER_PREFIX));
        if (size >= Format.MAGIC.length) {
            HeaderCodec.checkMagic(prefix);
        }
        if (size < minimum) {
            throw new ImageFormatException(
                    "truncated: the file has " + size + " bytes, an image at least " + minimum, -1);
        }
        int headerLength = HeaderCodec.headerLength(prefix, size);
        int major = prefix.getShort(8) & 0xFFFF;
        formatVersion = major + "." + (prefix.getShort(10) & 0xFFFF);
        if (major == Format.MANIFEST_MAJOR && folder == null) {
            throw new ImageFormatException("a manifest (format " + formatVersion + ") has its chunks in the store of"
                    + " its image folder: open it by its path or with its folder", 8);
        }
        chunkFolder = major == Format.MANIFEST_MAJOR ? folder : null;
        header = HeaderCodec.decode(read(0, headerLength));

        long trailerAt = size - Format.TRAILER_SIZE;
        IndexCodec.Trailer trailer = IndexCodec.getTrailer(read(trailerAt, Format.TRAILER_SIZE), trailerAt);
        if (!trailer.imageId().equals(header.imageId())) {
            throw new ImageFormatException("the trailer belongs to image " + trailer.imageId() + ", the header to "
                    + header.imageId(), trailerAt + 16);
        }
        long claimed = header.chunkCount();
        long room = (trailerAt - headerLength) / Format.ENTRY_SIZE;
        if (claimed > room) {
            throw new ImageFormatException("the header's extents make " + claimed + " chunks, but the file has room"
                    + " for at most " + room + " index entries: truncated or damaged", Format.HEADER_PREFIX);
        }
        if (claimed * Format.ENTRY_SIZE > Integer.MAX_VALUE - 8) {
            throw new ImageFormatException("an index of " + claimed + " chunks is beyond this reader", -1);
        }
        if (trailer.chunkCount() != claimed) {
            throw new ImageFormatException("the trailer counts " + trailer.chunkCount() + " chunks, the header's"
                    + " extents make " + claimed, trailerAt + 8);
        }
        chunkCount = claimed;
        indexOffset = trailer.indexOffset();
        long expectedIndex = trailerAt - claimed * Format.ENTRY_SIZE;
        if (indexOffset != expectedIndex) {
            throw new ImageFormatException("index offset " + indexOffset + " does not end at the trailer (an index of "
                    + claimed + " entries starts at " + expectedIndex + ")", trailerAt);
        }
        index = read(indexOffset, (int) (claimed * Format.ENTRY_SIZE));
        CRC32C crc = new CRC32C();
        crc.update(index.duplicate());
        if ((int) crc.getValue() != trailer.indexCrc32c()) {
            throw new ImageFormatException("index CRC-32C mismatch", indexOffset);
        }
        indexCrc32c = trailer.indexCrc32c();
        checkEntries(headerLength);
    }

    /** Every entry in its place: its number, disk and offset as the header's extents say, its bytes back to back. */
    private void checkEntries(int headerLength) throws ImageFormatException {
        long maxStored = ChunkCodec.maxStored(header.chunkSize());
        long expectedAt = headerLength;
        List<ChunkLocation> locations = header.chunkLocations();
        for (long n = 0; n < chunkCount; n++) {
            long at = indexOffset + entryOffset(n);
            ChunkEntry e = entry(n);
            ChunkLocation l = locations.get((int) n);
            if (e.number() != n || e.diskNumber() != l.diskNumber() || e.diskOffset() != l.diskOffset()
                    || e.length() != l.length()) {
                throw new ImageFormatException("index entry " + n + " says chunk " + e.number() + " of disk "
                        + e.diskNumber() + " at " + e.diskOffset() + " (" + e.length() + " bytes); the header's extents"
                        + " say chunk " + n + " of disk " + l.diskNumber() + " at " + l.diskOffset() + " ("
                        + l.length() + " bytes)", at);
            }
            if (e.hole()) {
                continue;
            }
            storedBytes += e.storedLength();
            if (e.storedLength() > maxStored) {
                throw new ImageFormatException("chunk " + n + " claims " + e.storedLength() + " stored bytes, more"
                        + " than zstd's bound " + maxStored + " for " + header.chunkSize() + "-byte chunks", at);
            }
            if (chunkFolder != null) {
                if (e.fileOffset() != 0) {
                    throw new ImageFormatException("chunk " + n + " of a manifest claims file offset "
                            + e.fileOffset() + "; a manifest's chunks are in the chunk store (offset 0)", at);
                }
                continue;
            }
            if (e.fileOffset() > indexOffset - e.storedLength()) {
                throw new ImageFormatException("chunk " + n + " points past the end of the chunk data: bytes "
                        + e.fileOffset() + ".." + (e.fileOffset() + e.storedLength()) + ", the index starts at "
                        + indexOffset, at);
            }
            if (e.fileOffset() != expectedAt) {
                throw new ImageFormatException("chunk " + n + " is stored at " + e.fileOffset() + ", the chunk before"
                        + " it ends at " + expectedAt + " (chunks are stored back to back)", at);
            }
            expectedAt += e.storedLength();
        }
        if (expectedAt != indexOffset) {
            throw new ImageFormatException((indexOffset - expectedAt) + " bytes between the last chunk and the index",
                    expectedAt);
        }
    }

    /**
     * Opens and validates a single-file image; the reader owns {@code channel} from here on. A manifest is refused:
     * its chunks are found through its folder ({@link #open(SeekableByteChannel, Path)}).
     */
    public static ImageReader open(SeekableByteChannel channel) throws IOException {
        return open(channel, null);
    }

    /**
     * Opens and validates an image read through {@code channel} that is in the image folder {@code folder} (or will
     * be: a manifest being written beside its target), where a manifest's chunk store is; the reader owns
     * {@code channel} from here on.
     */
    public static ImageReader open(SeekableByteChannel channel, Path folder) throws IOException {
        try {
            return new ImageReader(channel, folder == null ? null : folder.toAbsolutePath().normalize());
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Opens and validates the image file {@code image}, a single file or a manifest. */
    public static ImageReader open(Path image) throws IOException {
        Path absolute = image.toAbsolutePath();
        return open(FileChannel.open(image, StandardOpenOption.READ), absolute.getParent());
    }

    /** The format version the file declares: "1.0" for a single file, "2.0" for a manifest. */
    public String formatVersion() {
        return formatVersion;
    }

    /** Whether the image is a manifest, its chunks in the chunk store of its folder. */
    public boolean manifest() {
        return chunkFolder != null;
    }

    public ImageHeader header() {
        return header;
    }

    public long chunkCount() {
        return chunkCount;
    }

    /** The image file's size (a manifest's: its chunks are in the store). */
    public long size() {
        return size;
    }

    /** The stored bytes of all chunks, in the file or, for a manifest, in the chunk store (shared or not). */
    public long storedBytes() {
        return storedBytes;
    }

    private static long entryOffset(long n) {
        return n * Format.ENTRY_SIZE;
    }

    /**
     * The index as the file holds it, {@link ChunkEntry#SIZE} bytes per chunk (read-only, checked when the image was
     * opened): what a multicast sender gives its receivers over the agent link.
     */
    public ByteBuffer index() {
        return index.asReadOnlyBuffer().rewind();
    }

    /** The trailer's CRC-32C of the whole index. */
    public int indexCrc32c() {
        return indexCrc32c;
    }

    public ChunkEntry entry(long n) throws ImageFormatException {
        Objects.checkIndex(n, chunkCount);
        int at = (int) entryOffset(n);
        return IndexCodec.getEntry(index.duplicate().position(at).limit(at + Format.ENTRY_SIZE).slice(),
                indexOffset + at);
    }

    /** The stored (compressed) bytes of chunk {@code n} as they are in the file, unchecked: what a sender sends. */
    public ByteBuffer readStoredChunk(long n) throws IOException {
        ChunkEntry e = entry(n);
        ByteBuffer b = ByteBuffer.allocate(e.storedLength());
        readStored(e, b);
        return b.flip();
    }

    /**
     * Chunk {@code n}'s stored bytes read into {@code into} (cleared first; at least the stored length), unchecked:
     * the buffer is reused from chunk to chunk by a caller that sends many.
     */
    public ByteBuffer readStoredChunk(long n, ByteBuffer into) throws IOException {
        ChunkEntry e = entry(n);
        ByteBuffer b = into.clear().limit(e.storedLength());
        readStored(e, b);
        return b.flip();
    }

    /** Chunk {@code n}'s source bytes, checked; a hole reads as zeros. */
    public byte[] readChunk(long n) throws IOException {
        ChunkEntry e = entry(n);
        byte[] plain = new byte[e.length()];
        if (e.hole()) {
            return plain;
        }
        byte[] stored = new byte[e.storedLength()];
        readStored(e, ByteBuffer.wrap(stored));
        BadChunk bad = ChunkCodec.check(e, ByteBuffer.wrap(stored), ByteBuffer.wrap(plain));
        if (bad != null) {
            throw new ChunkCorruptException(bad, chunkFolder == null ? e.fileOffset() : -1);
        }
        return plain;
    }

    /**
     * Writes every chunk to {@code target} at its disk offset, in order. Each chunk is checked before it is written;
     * the first bad one stops the restore with a {@link ChunkCorruptException} and is not written.
     */
    public RestoreSummary restore(RestoreTarget target, RestoreOptions options) throws IOException {
        boolean skipHoles = options.targetZeroed() && target.positional();
        ByteBuffer zeros = ByteBuffer.allocateDirect(header.chunkSize());
        long[] done = { 0, 0, 0 };
        long total = header.totalBytes();
        scan(options.threads(), (e, plain, bad) -> {
            if (bad != null) {
                throw new ChunkCorruptException(bad, chunkFolder == null ? e.fileOffset() : -1);
            }
            if (plain != null) {
                target.write(e.diskNumber(), e.diskOffset(), plain);
                done[1] += e.length();
            } else if (skipHoles) {
                done[2]++;
            } else {
                target.write(e.diskNumber(), e.diskOffset(), zeros.clear().limit(e.length()));
                done[1] += e.length();
            }
            done[0] += e.length();
            options.progress().progress(done[0], total);
            return true;
        });
        return new RestoreSummary(chunkCount, done[2], done[1]);
    }

    /** A chunk's buffers: direct, so the file reads, zstd and the disk writes use them without a copy. */
    private record Slot(ByteBuffer stored, ByteBuffer plain) {
    }

    private record Checked(ChunkEntry entry, Slot slot, BadChunk bad) {
    }

    /**
     * Reads every chunk in order on this thread, checks and decompresses them on {@code threads} others, and hands
     * them to {@code visitor} in order.
     */
    void scan(int threads, ChunkVisitor visitor) throws IOException {
        try (OrderedPool<Checked> pool = new OrderedPool<>(threads, "opendpm-image-reader")) {
            // Slots are made as the pipeline fills (at most one per chunk in flight): zeroing them all up front delays
            // the first chunk, and a small image needs few.
            ArrayDeque<Slot> free = new ArrayDeque<>();
            for (long n = 0; n < chunkCount; n++) {
                if (pool.full() && !deliver(pool.take(), free, visitor)) {
                    return;
                }
                ChunkEntry e = entry(n);
                if (e.hole()) {
                    pool.done(new Checked(e, null, null));
                    continue;
                }
                Slot slot = free.isEmpty()
                        ? new Slot(ByteBuffer.allocateDirect((int) ChunkCodec.maxStored(header.chunkSize())),
                                ByteBuffer.allocateDirect(header.chunkSize()))
                        : free.remove();
                try {
                    readStored(e, slot.stored().clear().limit(e.storedLength()));
                } catch (ChunkCorruptException missing) {
                    pool.done(new Checked(e, slot, missing.badChunk()));
                    continue;
                }
                pool.submit(() -> new Checked(e, slot, ChunkCodec.check(e, slot.stored(), slot.plain())));
            }
            while (!pool.isEmpty()) {
                if (!deliver(pool.take(), free, visitor)) {
                    return;
                }
            }
        }
    }

    private static boolean deliver(Checked c, ArrayDeque<Slot> free, ChunkVisitor visitor) throws IOException {
        ByteBuffer plain = c.slot() == null || c.bad() != null
                ? null
                : c.slot().plain().clear().limit(c.entry().length());
        boolean more = visitor.visit(c.entry(), plain, c.bad());
        if (c.slot() != null) {
            free.add(c.slot());
        }
        return more;
    }

    /**
     * Reads the stored bytes of {@code e} (not a hole) into {@code b}: from this file, or from a manifest's chunk
     * store, where a chunk file that is missing or of another length than {@code e} says is a
     * {@link ChunkCorruptException} naming the chunk.
     */
    private void readStored(ChunkEntry e, ByteBuffer b) throws IOException {
        if (e.hole()) {
            return;
        }
        if (chunkFolder == null) {
            readFully(e.fileOffset(), b);
            return;
        }
        Path file = ChunkStore.chunkPath(chunkFolder, e);
        String shown = chunkFolder.relativize(file).toString();
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
            long have = c.size();
            if (have != e.storedLength()) {
                throw new ChunkCorruptException(new BadChunk(e.number(), e.diskNumber(), e.diskOffset(),
                        "stored chunk " + shown + " has " + have + " bytes, the index says " + e.storedLength()), -1);
            }
            Io.readFully(c, b, 0, have);
        } catch (NoSuchFileException missing) {
            throw new ChunkCorruptException(new BadChunk(e.number(), e.diskNumber(), e.diskOffset(),
                    "missing from the chunk store: " + shown), -1);
        }
    }

    private ByteBuffer read(long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        readFully(position, b);
        return b.flip();
    }

    private void readFully(long position, ByteBuffer b) throws IOException {
        if (channel instanceof FileChannel fc) {
            Io.readFully(fc, b, position, size);
            return;
        }
        synchronized (channel) {
            channel.position(position);
            while (b.hasRemaining()) {
                if (channel.read(b) < 0) {
                    throw new EOFException("the image ended at " + channel.position() + " (it was " + size
                            + " bytes when opened)");
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
