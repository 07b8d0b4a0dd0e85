package org.opendpm.agent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.opendpm.agent.protocol.Message;

/** {@code deleteFile} and {@code listFolder} (FIL-1). */
final class FileOperations {

    /**
     * A listing stays well below the server's default frame limit (1 MiB + 16); longer listings are cut and marked
     * {@code "truncated": true}.
     */
    static final int MAX_LISTING_BYTES = 900 * 1024;

    static final class OperationFailure extends Exception {
        private static final long serialVersionUID = 1L;

        OperationFailure(String message) {
            super(message);
        }
    }

    private FileOperations() {
    }

    static Path absolute(String path) throws OperationFailure {
        Path p;
        try {
            p = Path.of(path);
        } catch (RuntimeException e) {
            throw new OperationFailure("'" + path + "' is not a valid path");
        }
        if (!p.isAbsolute()) {
            throw new OperationFailure("'" + path + "' is not an absolute path");
        }
        return p;
    }

    /** Deletes one file (or symbolic link); folders are refused. */
    static void deleteFile(String path, boolean really) throws OperationFailure {
        Path p = absolute(path);
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new OperationFailure("file " + path + " does not exist");
        } catch (IOException e) {
            throw new OperationFailure("cannot read " + path + ": " + e);
        }
        if (a.isDirectory()) {
            throw new OperationFailure(path + " is a folder; only files are deleted");
        }
        if (a.isOther()) {
            throw new OperationFailure(path + " is not a regular file");
        }
        if (!really) {
            return;
        }
        try {
            Files.delete(p);
        } catch (NoSuchFileException e) {
            throw new OperationFailure("file " + path + " does not exist");
        } catch (IOException e) {
            throw new OperationFailure("cannot delete " + path + ": " + e);
        }
    }

    /** The entries of a folder sorted by name, as the {@code folderListing} answer. */
    static Message.FolderListing listFolder(long requestId, String path) throws OperationFailure {
        Path dir = absolute(path);
        if (!Files.exists(dir)) {
            throw new OperationFailure("folder " + path + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new OperationFailure(path + " is not a folder");
        }
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(children::add);
        } catch (IOException e) {
            throw new OperationFailure("cannot list folder " + path + ": " + e);
        }
        children.sort(Comparator.comparing(c -> c.getFileName().toString()));
        List<Message.FolderListing.Entry> entries = new ArrayList<>();
        boolean posix = FileReceiver.posix();
        boolean truncated = false;
        int bytes = 200;
        for (Path c : children) {
            Message.FolderListing.Entry e = entry(c, posix);
            if (e == null) {
                continue;
            }
            // An entry's JSON: its members' names and punctuation (about 80 bytes), the name escaped at worst 6:1.
            bytes += 100 + 6 * e.name().length();
            if (bytes > MAX_LISTING_BYTES) {
                truncated = true;
                break;
            }
            entries.add(e);
        }
        return new Message.FolderListing(requestId, entries, truncated);
    }

    private static Message.FolderListing.Entry entry(Path c, boolean posix) {
        BasicFileAttributes a;
        try {
            // Symbolic links are described by what they point to; a dangling one by the link itself.
            try {
                a = posix
                        ? Files.readAttributes(c, PosixFileAttributes.class)
                        : Files.readAttributes(c, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                a = posix
                        ? Files.readAttributes(c, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        : Files.readAttributes(c, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            return null; // vanished while listing
        }
        return new Message.FolderListing.Entry(c.getFileName().toString(), a.isDirectory(), a.size(),
                a.lastModifiedTime().toInstant().truncatedTo(ChronoUnit.SECONDS),
                a instanceof PosixFileAttributes p ? FileReceiver.formatPermissions(p.permissions()) : "");
    }
}
