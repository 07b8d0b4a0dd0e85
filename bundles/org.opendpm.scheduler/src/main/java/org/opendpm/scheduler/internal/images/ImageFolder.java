package org.opendpm.scheduler.internal.images;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.image.WriteBehind;
import org.opendpm.spi.ImageStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The image store in the server's "Folder for Image" setting: plain names only (a jail), and a new image is written to
 * a temporary file beside its target, forced to disk and renamed over it only when complete (IMG-1). It also knows
 * which images this server process reads right now ({@link #use}), so that {@link #delete} refuses them.
 */
@Component(service = ImageFolder.class)
public class ImageFolder implements ImageStore {

    private static final int MAX_NAME = 255;
    private final ServerSettingsService settings;
    /** Image name → purposes of the uses held now, one entry per use (so nested uses count). */
    private final Map<String, List<String>> uses = new HashMap<>();

    @Activate
    public ImageFolder(@Reference ServerSettingsService settings) {
        this.settings = settings;
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
     * while any is held. The name is checked, not its existence.
     *
     * @param purpose what uses it, as a refused delete names it ("restore of execution 12 to pc1")
     */
    public Use use(String name, String purpose) {
        checkName(name);
        synchronized (uses) {
            uses.computeIfAbsent(name, n -> new ArrayList<>()).add(purpose);
        }
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
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

    /** What uses an image now, in the order the uses began. */
    public List<String> usesOf(String name) {
        synchronized (uses) {
            return List.copyOf(uses.getOrDefault(name, List.of()));
        }
    }

    /** Removes an image, unless it is in use; holding the lock while deleting keeps a new use from slipping in. */
    public void delete(String name) throws IOException {
        Path p = resolve(name);
        synchronized (uses) {
            List<String> held = uses.get(name);
            if (held != null) {
                throw new ConflictException("Image " + name + " is in use: " + String.join("; ", held));
            }
            if (!Files.isRegularFile(p)) {
                throw new NotFoundException("No image " + name);
            }
            Files.delete(p);
        }
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
