package org.opendpm.agent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The machine's file system as the master preparation sees it: {@code /}, or a folder standing in for it in tests.
 * Every path it gives is inside the root after resolving symbolic links, so a link that leads out of the root (an
 * {@code /etc/machine-id} pointing at {@code /home/x/machine-id} under a test root, say) is never followed; such a
 * path is logged and left alone.
 */
final class RootFolder {

    private static final Logger LOG = Logger.getLogger(RootFolder.class.getName());

    private final Path root;

    RootFolder(Path root) throws IOException {
        this.root = root.toRealPath();
    }

    Path root() {
        return root;
    }

    /**
     * The real file that {@code relative} (a path below the root, {@code etc/machine-id}) names, when it exists and
     * stays inside the root; a symbolic link as the last element is resolved only when its target is inside too.
     */
    Optional<Path> existing(String relative) throws IOException {
        return real(root.resolve(relative));
    }

    /**
     * The path of a symbolic link or file itself, for deleting it: its folder must be inside the root, and a link
     * that leads out of it is left alone.
     */
    Optional<Path> deletable(String relative) throws IOException {
        Path p = root.resolve(relative).normalize();
        if (!p.startsWith(root) || !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Optional<Path> folder = real(p.getParent());
        if (folder.isEmpty()) {
            return Optional.empty();
        }
        Path inFolder = folder.get().resolve(p.getFileName());
        if (Files.isSymbolicLink(inFolder)) {
            Path target = inFolder.getParent().resolve(Files.readSymbolicLink(inFolder)).normalize();
            if (!target.startsWith(root)) {
                LOG.warning("Master preparation: " + inFolder + " links to " + target + ", outside "
                        + root + "; left alone");
                return Optional.empty();
            }
        }
        return Optional.of(inFolder);
    }

    /** The names in a folder below the root, sorted; none when it does not exist or leads out of the root. */
    List<String> list(String relative) throws IOException {
        Optional<Path> folder = real(root.resolve(relative));
        List<String> names = new ArrayList<>();
        if (folder.isEmpty() || !Files.isDirectory(folder.get())) {
            return names;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder.get())) {
            for (Path e : entries) {
                names.add(e.getFileName().toString());
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return names;
        }
        names.sort(null);
        return names;
    }

    private Optional<Path> real(Path p) throws IOException {
        Path n = p.normalize();
        if (!n.startsWith(root)) {
            return Optional.empty();
        }
        Path real;
        try {
            real = n.toRealPath();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (!real.startsWith(root)) {
            LOG.warning("Master preparation: " + n + " leads to " + real + ", outside " + root + "; left alone");
            return Optional.empty();
        }
        return Optional.of(real);
    }
}
