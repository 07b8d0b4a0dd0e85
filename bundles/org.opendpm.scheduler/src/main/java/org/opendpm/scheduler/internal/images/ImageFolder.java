package org.opendpm.scheduler.internal.images;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.spi.ImageStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The image store in the server's "Folder for Image" setting: plain names only (a jail), and a new image is written to
 * a temporary file beside its target, forced to disk and renamed over it only when complete (IMG-1).
 */
@Component(service = ImageFolder.class)
public class ImageFolder implements ImageStore {

    private static final int MAX_NAME = 255;
    private final ServerSettingsService settings;

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
        if (name == null || name.isEmpty() || name.length() > MAX_NAME || name.equals(".") || name.equals("..")
                || name.startsWith(".") || name.chars().anyMatch(ch -> ch == '/' || ch == '\\' || ch < 0x20)) {
            throw new ValidationException("name", "An image name is a plain file name of 1 to " + MAX_NAME
                    + " characters, without separators, control characters or a leading dot");
        }
        return root().resolve(name);
    }

    @Override
    public boolean exists(String name) throws IOException {
        return Files.isRegularFile(resolve(name));
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
        long free = Files.getFileStore(target.getParent()).getUsableSpace();
        if (expectedBytes > free) {
            throw new ConflictException("Image " + name + " needs " + expectedBytes + " bytes; the image folder has "
                    + free + " free");
        }
        Path temp = Files.createTempFile(target.getParent(), "." + name + ".", ".partial");
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
        return new NewImage() {
            private boolean committed;

            @Override
            public WritableByteChannel channel() {
                return channel;
            }

            @Override
            public SeekableByteChannel readBack() throws IOException {
                return Files.newByteChannel(temp, StandardOpenOption.READ);
            }

            @Override
            public void commit() throws IOException {
                channel.force(true);
                channel.close();
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                committed = true;
            }

            @Override
            public void close() throws IOException {
                channel.close();
                if (!committed) {
                    Files.deleteIfExists(temp);
                }
            }
        };
    }
}
