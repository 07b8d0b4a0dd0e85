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

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

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

    /** The entries of a folder sorted by name, as the {@code folderListing} answer's {@code entries}. */
    static ObjectNode listFolder(long requestId, String path) throws OperationFailure {
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
        ObjectNode answer = Json.object("folderListing");
        answer.put("id", requestId);
        ArrayNode entries = answer.putArray("entries");
        boolean posix = FileReceiver.posix();
        int bytes = 200;
        for (Path c : children) {
            ObjectNode e = entry(c, posix);
            if (e == null) {
                continue;
            }
            bytes += Json.bytes(e).length + 1;
            if (bytes > MAX_LISTING_BYTES) {
                answer.put("truncated", true);
                break;
            }
            entries.add(e);
        }
        return answer;
    }

    private static ObjectNode entry(Path c, boolean posix) {
        BasicFileAttributes a;
        try {
            // Symbolic links are described by what they point to; a dangling one by the link itself.
            try {
                a = posix ? Files.readAttributes(c, PosixFileAttributes.class)
                        : Files.readAttributes(c, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                a = posix ? Files.readAttributes(c, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        : Files.readAttributes(c, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            return null; // vanished while listing
        }
        ObjectNode e = Json.MAPPER.createObjectNode();
        e.put("name", c.getFileName().toString());
        e.put("directory", a.isDirectory());
        e.put("size", a.size());
        e.put("modified", a.lastModifiedTime().toInstant().truncatedTo(ChronoUnit.SECONDS).toString());
        if (a instanceof PosixFileAttributes) {
            e.put("permissions", FileReceiver.formatPermissions(((PosixFileAttributes) a).permissions()));
        } else {
            e.putNull("permissions");
        }
        return e;
    }
}
