package org.opendpm.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;

import org.opendpm.image.internal.Format;
import org.opendpm.image.internal.HeaderCodec;

/**
 * The chunks of an image folder's manifests (docs/image-format.md, "Manifests and the chunk store"), each stored once
 * under {@code .chunks/} by its key: the SHA-256 of its uncompressed bytes, its stored length and the CRC-32C of its
 * stored bytes. Writers put a manifest's chunks first and the manifest after them; {@link #sweep()} removes the chunks
 * no manifest names.
 *
 * <p>
 * A chunk that a manifest names is never removed. Every chunk a {@link Writing} puts (written or found present) is
 * recorded in it before the chunk's file is looked at, and stays protected until the writing is closed, which its
 * owner does after its manifest is in place (or abandoned); a writing closed while a sweep runs hands its chunks to
 * that sweep, whose manifest listing may have missed the new manifest. A sweep removes a chunk only when, under the
 * store's lock, no manifest it read and no writing names it. The coordination is within one process: one server owns
 * an image folder.
 *
 * <p>
 * A reader that must outlive its manifest (a restore while a backup of the same name replaces it) protects the chunks
 * it reads the same way, with a writing that only {@link Writing#keep keeps} them.
 *
 * <p>
 * Thread-safe.
 */
public final class ChunkStore {

    /** A stored chunk's file name: SHA-256 (hex), stored length, CRC-32C (hex). */
    private static final Pattern CHUNK_NAME = Pattern.compile("[0-9a-f]{64}-[0-9]{1,10}-[0-9a-f]{8}");
    private static final HexFormat HEX = HexFormat.of();

    /**
     * What a sweep found and did.
     *
     * @param manifests manifests read
     * @param kept chunks kept (named by a manifest or a writing)
     * @param removed chunks removed
     * @param bytesFreed their bytes
     * @param partialsRemoved temporary files of writes that did not finish
     */
    public record SweepReport(long manifests, long kept, long removed, long bytesFreed, long partialsRemoved) {
    }

    private final Path folder;
    private final Path chunks;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}, as are the writings' keys. */
    private final Set<Writing> live = new HashSet<>();
    private final Set<String> retired = new HashSet<>();
    private int sweeping;

    private ChunkStore(Path folder) {
        this.folder = folder;
        this.chunks = folder.resolve(Format.CHUNK_FOLDER);
    }

    /** The store of the image folder {@code folder}; one instance per folder coordinates its writers and sweeps. */
    public static ChunkStore in(Path folder) {
        return new ChunkStore(folder.toAbsolutePath().normalize());
    }

    /** The image folder. */
    public Path folder() {
        return folder;
    }

    /** Where the store of the image folder {@code folder} keeps the stored bytes of {@code e} (not a hole). */
    public static Path chunkPath(Path folder, ChunkEntry e) {
        String name = name(e);
        return folder.resolve(Format.CHUNK_FOLDER).resolve(name.substring(0, 2)).resolve(name);
    }

    static String name(ChunkEntry e) {
        return HEX.formatHex(e.sha256()) + "-" + e.storedLength() + "-" + HEX.toHexDigits(e.storedCrc32c());
    }

    /** Starts writing the chunks of one manifest. */
    public Writing begin() {
        Writing w = new Writing();
        synchronized (lock) {
            live.add(w);
        }
        return w;
    }

    /**
     * The chunks of one manifest being written: {@link #put} each, {@link #sync()} before the manifest is renamed
     * into place, {@link #close()} after (or when it is abandoned). Not thread-safe.
     */
    public final class Writing implements AutoCloseable {
        private final Set<String> keys = new HashSet<>();
        private final Set<Path> written = new HashSet<>();
        private long addedBytes;
        private long addedChunks;
        private long sharedChunks;
        private boolean closed;

        private Writing() {
        }

        /**
         * Stores a chunk unless the store has it: its stored bytes (position to limit, exactly
         * {@code entry.storedLength()}) go to a temporary file, forced to disk and renamed to the chunk's name. The
         * caller has checked the bytes against the entry.
         *
         * @return whether the chunk was new to the store
         */
        public boolean put(ChunkEntry entry, ByteBuffer stored) throws IOException {
            if (entry.hole()) {
                throw new IllegalArgumentException("a hole has nothing to store");
            }
            if (stored.remaining() != entry.storedLength()) {
                throw new IllegalArgumentException(stored.remaining() + " stored bytes given, the entry says "
                        + entry.storedLength());
            }
            String name = name(entry);
            synchronized (lock) {
                if (closed) {
                    throw new IllegalStateException("the writing is closed");
                }
                // Recorded before the file is looked at: from here on no sweep removes it.
                keys.add(name);
            }
            Path dir = chunks.resolve(name.substring(0, 2));
            Path target = dir.resolve(name);
            try {
                // The name carries the length: a file of another size is damaged, and is replaced.
                if (Files.size(target) == entry.storedLength()) {
                    sharedChunks++;
                    return false;
                }
            } catch (NoSuchFileException absent) {
                // written below
            }
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, "." + name + ".", ".partial");
            try {
                try (FileChannel c = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    Io.writeFully(c, stored.duplicate(), 0);
                    c.force(true);
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
            written.add(dir);
            addedBytes += entry.storedLength();
            addedChunks++;
            return true;
        }

        /**
         * Protects a chunk that the owner reads rather than writes, as if it had put it: a restore of a manifest that
         * a new backup of the same name replaces meanwhile still finds the old manifest's chunks.
         */
        public void keep(ChunkEntry entry) {
            if (entry.hole()) {
                return;
            }
            synchronized (lock) {
                if (closed) {
                    throw new IllegalStateException("the writing is closed");
                }
                keys.add(name(entry));
            }
        }

        /** Forces the renames of the chunks written to disk: call before the manifest is renamed into place. */
        public void sync() throws IOException {
            for (Path dir : written) {
                forceDirectory(dir);
            }
            if (!written.isEmpty()) {
                forceDirectory(chunks);
                // the first chunks create .chunks itself
                forceDirectory(folder);
            }
            written.clear();
        }

        /** Stored bytes this writing added to the store. */
        public long addedBytes() {
            return addedBytes;
        }

        /** Chunks this writing added to the store. */
        public long addedChunks() {
            return addedChunks;
        }

        /** Chunks this writing found in the store already. */
        public long sharedChunks() {
            return sharedChunks;
        }

        /** Ends the protection of this writing's chunks: once its manifest is in place, or abandoned. */
        @Override
        public void close() {
            synchronized (lock) {
                if (closed) {
                    return;
                }
                closed = true;
                live.remove(this);
                if (sweeping > 0) {
                    retired.addAll(keys);
                }
            }
        }
    }

    /** Forces a directory's entries (a rename into it) to disk. */
    public static void forceDirectory(Path dir) throws IOException {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        }
    }

    /**
     * Removes the chunks no manifest of the folder and no writing names, and the temporary files of chunk writes
     * that did not finish. A manifest that cannot be read stops the sweep before it removes anything: what it names
     * is unknown.
     */
    public SweepReport sweep() throws IOException {
        synchronized (lock) {
            sweeping++;
        }
        try {
            Set<String> marked = new HashSet<>();
            long manifests = 0;
            try (DirectoryStream<Path> s = Files.newDirectoryStream(folder)) {
                for (Path p : s) {
                    // Images have plain names; temporary manifests (".NAME.*.partial") belong to live writings.
                    if (!p.getFileName().toString().startsWith(".") && mark(p, marked)) {
                        manifests++;
                    }
                }
            }
            long[] counts = new long[4];
            if (Files.isDirectory(chunks)) {
                try (DirectoryStream<Path> dirs = Files.newDirectoryStream(chunks)) {
                    for (Path dir : dirs) {
                        if (Files.isDirectory(dir)) {
                            sweepFolder(dir, marked, counts);
                        }
                    }
                }
            }
            return new SweepReport(manifests, counts[0], counts[1], counts[2], counts[3]);
        } finally {
            synchronized (lock) {
                if (--sweeping == 0) {
                    retired.clear();
                }
            }
        }
    }

    /** Adds what the manifest at {@code p} names; false when {@code p} is no manifest (a 1.0 image, another file). */
    private static boolean mark(Path p, Set<String> marked) throws IOException {
        try {
            if (!Files.isRegularFile(p) || !isManifest(p)) {
                return false;
            }
            try (ImageReader r = ImageReader.open(p)) {
                for (long n = 0; n < r.chunkCount(); n++) {
                    ChunkEntry e = r.entry(n);
                    if (!e.hole()) {
                        marked.add(name(e));
                    }
                }
            }
            return true;
        } catch (NoSuchFileException deleted) {
            return false;
        } catch (ImageFormatException e) {
            throw new IOException("the chunk store is not swept: manifest " + p.getFileName()
                    + " cannot be read, so what it names is unknown: " + e.getMessage(), e);
        }
    }

    /** Whether the file at {@code p} starts as a manifest does: the image magic and major version 2. */
    public static boolean isManifest(Path p) throws IOException {
        try (FileChannel c = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer prefix = ByteBuffer.allocate(Format.HEADER_PREFIX);
            while (prefix.hasRemaining() && c.read(prefix) >= 0) {
                // reads the prefix or what the file has
            }
            if (prefix.hasRemaining()) {
                return false;
            }
            try {
                HeaderCodec.checkMagic(prefix.flip());
            } catch (ImageFormatException notAnImage) {
                return false;
            }
            return (prefix.getShort(8) & 0xFFFF) == Format.MANIFEST_MAJOR;
        }
    }

    private void sweepFolder(Path dir, Set<String> marked, long[] counts) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".partial")) {
                    synchronized (lock) {
                        // Only writings create them, and none is live: this one is left from a crash or a failure.
                        if (live.isEmpty() && Files.deleteIfExists(f)) {
                            counts[3]++;
                        }
                    }
                } else if (!CHUNK_NAME.matcher(name).matches() || marked.contains(name)) {
                    counts[0]++;
                } else {
                    synchronized (lock) {
                        if (named(name)) {
                            counts[0]++;
                            continue;
                        }
                        long size = sizeOrZero(f);
                        if (Files.deleteIfExists(f)) {
                            counts[1]++;
                            counts[2] += size;
                        }
                    }
                }
            }
        }
    }

    /** Whether a writing (live, or closed while a sweep runs) names the chunk; under {@link #lock}. */
    private boolean named(String name) {
        if (retired.contains(name)) {
            return true;
        }
        for (Writing w : live) {
            if (w.keys.contains(name)) {
                return true;
            }
        }
        return false;
    }

    private static long sizeOrZero(Path f) throws IOException {
        try {
            return Files.size(f);
        } catch (NoSuchFileException gone) {
            return 0;
        }
    }
}
