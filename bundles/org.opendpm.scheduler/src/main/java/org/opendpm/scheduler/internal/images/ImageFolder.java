package org.opendpm.scheduler.internal.images;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.image.ChunkStore;
import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageReader;
import org.opendpm.image.StoredChunkWriter;
import org.opendpm.image.WriteBehind;
import org.opendpm.spi.ImageStore;
import org.opendpm.store.Database;
import org.opendpm.store.DatabaseReadyListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image store in the server's "Folder for Image" setting: plain names only (a jail), and a new image is written to
 * a temporary file beside its target, forced to disk and renamed over it only when complete (IMG-1). It also knows
 * which images this server process reads right now ({@link #use}), so that {@link #delete} refuses them.
 *
 * <p>
 * Backups are written as manifests whose chunks go to the folder's {@link ChunkStore} ({@code .chunks/}, out of reach
 * of every name), shared between images; the store is swept of the chunks no manifest names after each delete and
 * when the component starts. This server owns the folder: the store's writers and sweeps are coordinated within it.
 */
@Component(service = { ImageFolder.class, DatabaseReadyListener.class }, immediate = true)
public class ImageFolder implements ImageStore, DatabaseReadyListener {

    private static final Logger LOG = LoggerFactory.getLogger(ImageFolder.class);
    private static final int MAX_NAME = 255;
    private final ServerSettingsService settings;
    /** Image name → purposes of the uses held now, one entry per use (so nested uses count). */
    private final Map<String, List<String>> uses = new HashMap<>();
    /** The chunk store of the folder the setting names now; replaced when the setting changes. */
    private ChunkStore store;
    /** When this component started: temporary files older than that belong to no writer of this process. */
    private volatile long started;
    private final ExecutorService sweeper = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "opendpm-image-sweep");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public ImageFolder(@Reference ServerSettingsService settings) {
        this.settings = settings;
    }

    @Activate
    void start() {
        started = System.currentTimeMillis();
    }

    /**
     * Cleans up what a server that stopped mid-backup may have left: temporary image files older than this start, and
     * chunks no image names. It waits for the database, which holds the "Folder for Image" setting.
     */
    @Override
    public void databaseReady(Database database) {
        sweeper.execute(() -> {
            try {
                removeTemporaryFilesBefore(started);
                sweep();
            } catch (IOException | RuntimeException e) {
                LOG.warn("The image folder's chunk store was not swept at start: {}", e.getMessage());
            }
        });
    }

    /** Temporary image files ({@code .NAME.*.partial}) last written before {@code millis}: no writer of now owns them. */
    private void removeTemporaryFilesBefore(long millis) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root(), ".*.partial")) {
            for (Path p : s) {
                if (Files.isRegularFile(p) && Files.getLastModifiedTime(p).toMillis() < millis) {
                    Files.deleteIfExists(p);
                    LOG.info("Removed {}, left by a backup that did not finish", p.getFileName());
                }
            }
        }
    }

    private void sweepLater() {
        try {
            sweeper.execute(() -> {
                try {
                    sweep();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("The image folder's chunk store was not swept after an abandoned backup: {}",
                            e.getMessage());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // the component is stopping: the next start sweeps
        }
    }

    @Deactivate
    void stop() {
        sweeper.shutdownNow();
    }

    /** The chunk store of the image folder; one per folder, so that its writers and sweeps see each other. */
    public synchronized ChunkStore chunkStore() throws IOException {
        Path root = root();
        if (store == null || !store.folder().equals(root)) {
            store = ChunkStore.in(root);
        }
        return store;
    }

    /** Removes the chunks no image names (and what failed writes left), logging what it freed. */
    public ChunkStore.SweepReport sweep() throws IOException {
        ChunkStore.SweepReport r = chunkStore().sweep();
        if (r.removed() > 0 || r.partialsRemoved() > 0) {
            LOG.info("Image chunk store swept: {} chunks ({} bytes) no image names removed, {} kept, {} unfinished"
                    + " writes removed", r.removed(), r.bytesFreed(), r.kept(), r.partialsRemoved());
        }
        return r;
    }

    Path root() throws IOException {
        String folder = settings.get().imageFolder();
        if (folder.startsWith("${karaf.data}")) {
            folder = System.getProperty("karaf.data", "data") + folder.substring("${karaf.data}".length());
        }
        Path root = Path.of(folder).toAbsolutePath().normalize();
        Files.createDirectories(root);
        return root;
    }

    Path resolve(String name) throws IOException {
        checkName(name);
        return root().resolve(name);
    }

    /**
     * A plain file name without a leading dot: the dot keeps the store's temporary files ({@code .NAME.*.partial})
     * out of reach of every name.
     */
    static void checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME || name.startsWith(".")
                || name.chars().anyMatch(ch -> ch == '/' || ch == '\\' || ch < 0x20)) {
            throw new ValidationException("name", "An image name is a plain file name of 1 to " + MAX_NAME
                    + " characters, without separators, control characters or a leading dot");
        }
    }

    /** A use of an image; closing it throws nothing, and closing it twice counts once. */
    public interface Use extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Marks an image as in use until the returned handle is closed; uses nest, and {@link #delete} refuses the image
     * while any is held. The name is checked, not its existence. The chunks of a manifest are kept from sweeps while
     * it is in use, even if a backup of the same name replaces it meanwhile.
     *
     * @param purpose what uses it, as a refused delete names it ("restore of execution 12 to pc1")
     */
    public Use use(String name, String purpose) {
        checkName(name);
        synchronized (uses) {
            uses.computeIfAbsent(name, n -> new ArrayList<>()).add(purpose);
        }
        ChunkStore.Writing kept = keepChunks(name);
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                if (kept != null) {
                    kept.close();
                }
                synchronized (uses) {
                    List<String> held = uses.get(name);
                    held.remove(purpose);
                    if (held.isEmpty()) {
                        uses.remove(name);
                    }
                }
            }
        };
    }

    /**
     * Keeps the chunks a manifest names now from sweeps; null for anything else. A manifest that cannot be read keeps
     * nothing: its use fails on its own when it opens it.
     */
    private ChunkStore.Writing keepChunks(String name) {
        try {
            Path p = resolve(name);
            if (!Files.isRegularFile(p) || !ChunkStore.isManifest(p)) {
                return null;
            }
            ChunkStore.Writing kept = chunkStore().begin();
            try (ImageReader r = ImageReader.open(p)) {
                for (long n = 0; n < r.chunkCount(); n++) {
                    kept.keep(r.entry(n));
                }
            } catch (IOException | RuntimeException e) {
                kept.close();
                return null;
            }
            return kept;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** What uses an image now, in the order the uses began. */
    public List<String> usesOf(String name) {
        synchronized (uses) {
            return List.copyOf(uses.getOrDefault(name, List.of()));
        }
    }

    /**
     * Removes an image, unless it is in use; holding the lock while deleting keeps a new use from slipping in. A
     * manifest goes first, then the chunk store is swept of what no other image names; a sweep that fails (an
     * unreadable manifest) is logged and leaves the chunks for a later one.
     */
    public void delete(String name) throws IOException {
        Path p = resolve(name);
        boolean manifest;
        synchronized (uses) {
            List<String> held = uses.get(name);
            if (held != null) {
                throw new ConflictException("Image " + name + " is in use: " + String.join("; ", held));
            }
            if (!Files.isRegularFile(p)) {
                throw new NotFoundException("No image " + name);
            }
            manifest = ChunkStore.isManifest(p);
            Files.delete(p);
        }
        if (manifest) {
            try {
                sweep();
            } catch (IOException e) {
                LOG.warn("Image {} deleted; its chunks stay until a sweep can read every manifest: {}", name,
                        e.getMessage());
            }
        }
    }

    /** Opens an image strictly, a single file or a manifest with the folder's chunk store. */
    public ImageReader reader(String name) throws IOException {
        Path p = resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new NotFoundException("No image " + name);
        }
        return ImageReader.open(p);
    }

    @Override
    public boolean exists(String name) throws IOException {
        return Files.isRegularFile(resolve(name));
    }

    /** The file of an existing image, for readers that open it themselves (the multicast sender). */
    public Path path(String name) throws IOException {
        Path p = resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new NotFoundException("No image " + name);
        }
        return p;
    }

    @Override
    public SeekableByteChannel open(String name) throws IOException {
        Path p = resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new NotFoundException("No image " + name);
        }
        return Files.newByteChannel(p, StandardOpenOption.READ);
    }

    /** A new image written through the image module's writer; its format is the folder's to choose. */
    public interface PendingImage extends NewImage {
        /** Writes the header and returns the writer of the chunks: into the manifest and the store, or the file. */
        StoredChunkWriter writer(ImageHeader header) throws IOException;

        /** What was written so far, opened strictly (a manifest with the folder's chunk store). */
        ImageReader readBackImage() throws IOException;

        /** Stored bytes the image added to the chunk store; 0 for a single file. */
        long addedToStore();
    }

    /**
     * Starts writing a new image, refused up front when {@code expectedBytes} (its size as a single file: a manifest
     * needs at most that, less what the store has) are not free.
     *
     * @param shareChunks write a manifest with its chunks in the folder's chunk store; else a single 1.0 file
     */
    public PendingImage createImage(String name, long expectedBytes, boolean shareChunks) throws IOException {
        NewImage file = create(name, expectedBytes);
        ChunkStore.Writing chunks;
        try {
            chunks = shareChunks ? chunkStore().begin() : null;
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
        Path folder = root();
        return new PendingImage() {
            private boolean committed;

            @Override
            public StoredChunkWriter writer(ImageHeader header) throws IOException {
                return chunks == null
                        ? StoredChunkWriter.create(file.channel(), header)
                        : StoredChunkWriter.createManifest(file.channel(), header, chunks);
            }

            @Override
            public ImageReader readBackImage() throws IOException {
                return ImageReader.open(file.readBack(), folder);
            }

            @Override
            public long addedToStore() {
                return chunks == null ? 0 : chunks.addedBytes();
            }

            @Override
            public WritableByteChannel channel() {
                return file.channel();
            }

            @Override
            public SeekableByteChannel readBack() throws IOException {
                return file.readBack();
            }

            /** The manifest goes in place after its chunks were forced to disk; only then are they unprotected. */
            @Override
            public void commit() throws IOException {
                file.commit();
                committed = true;
                if (chunks != null) {
                    chunks.close();
                }
            }

            /** An abandoned manifest's new chunks are named by nothing: a sweep frees them now, not at the next delete. */
            @Override
            public void close() throws IOException {
                try {
                    file.close();
                } finally {
                    if (chunks != null) {
                        chunks.close();
                        if (!committed && chunks.addedChunks() > 0) {
                            sweepLater();
                        }
                    }
                }
            }
        };
    }

    @Override
    public NewImage create(String name, long expectedBytes) throws IOException {
        Path target = resolve(name);
        checkFreeSpace(target.getParent(), name, expectedBytes);
        Path temp = Files.createTempFile(target.getParent(), "." + name + ".", ".partial");
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
        WriteBehind flushing = new WriteBehind(channel, FLUSH_EVERY, "opendpm-image-flush");
        WritableByteChannel counted = new WritableByteChannel() {
            @Override
            public int write(ByteBuffer src) throws IOException {
                int n = channel.write(src);
                flushing.written(n);
                return n;
            }

            @Override
            public boolean isOpen() {
                return channel.isOpen();
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
        return new NewImage() {
            private boolean committed;

            @Override
            public WritableByteChannel channel() {
                return counted;
            }

            @Override
            public SeekableByteChannel readBack() throws IOException {
                return Files.newByteChannel(temp, StandardOpenOption.READ);
            }

            @Override
            public void commit() throws IOException {
                flushing.finish();
                channel.close();
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                committed = true;
                // The rename itself on disk: a manifest that vanished in a crash would leave its chunks unnamed.
                ChunkStore.forceDirectory(target.getParent());
            }

            @Override
            public void close() throws IOException {
                flushing.close();
                channel.close();
                if (!committed) {
                    Files.deleteIfExists(temp);
                }
            }
        };
    }

    /** Written bytes after which a new image is flushed behind its writer. */
    private static final long FLUSH_EVERY = 64L << 20;

    /** Refuses up front an image that cannot fit: {@code expectedBytes} beyond the usable space of {@code folder}. */
    static void checkFreeSpace(Path folder, String name, long expectedBytes) throws IOException {
        long free = Files.getFileStore(folder).getUsableSpace();
        if (expectedBytes > free) {
            throw new ConflictException("Image " + name + " needs " + expectedBytes + " bytes; the image folder has "
                    + free + " free");
        }
    }
}
