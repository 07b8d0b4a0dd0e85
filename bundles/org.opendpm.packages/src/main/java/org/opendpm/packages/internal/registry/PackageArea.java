package org.opendpm.packages.internal.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.opendpm.api.ValidationException;

/**
 * The package area of the Folder for Image: {@code <Folder for Image>/.packages/<package id>/<file name>}. The
 * leading dot keeps it out of the image store's names. Paths are built only from a package id and a checked plain
 * file name, so nothing outside the area is reached. An upload is written to a temporary file beside its target,
 * counted, hashed and forced to disk before it is renamed.
 */
final class PackageArea {

    static final String FOLDER = ".packages";
    private static final String TEMP_PREFIX = ".upload-";

    private final Supplier<Path> imageFolder;

    PackageArea(Supplier<Path> imageFolder) {
        this.imageFolder = imageFolder;
    }

    Path folder(long packageId) {
        return imageFolder.get().resolve(FOLDER).resolve(Long.toString(packageId));
    }

    Path file(long packageId, String name) {
        PackageChecks.fileName(name);
        return folder(packageId).resolve(name);
    }

    /** A complete, hashed upload waiting to be renamed into place or discarded. */
    record Upload(Path temp, long size, String sha256) {
    }

    /** Streams the content to a temporary file of the package's folder; refuses more than {@code maxBytes}. */
    Upload receive(long packageId, InputStream content, long maxBytes) {
        Path dir = folder(packageId);
        Path temp = null;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, TEMP_PREFIX, ".partial");
            MessageDigest digest = sha256();
            long size = 0;
            byte[] buf = new byte[64 * 1024];
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                int n;
                while ((n = content.read(buf)) > 0) {
                    size += n;
                    if (size > maxBytes) {
                        throw new ValidationException("content", "the file is larger than the bound of " + maxBytes
                                + " bytes (maxFileMiB in etc/org.opendpm.packages.cfg)");
                    }
                    digest.update(buf, 0, n);
                    ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                }
                out.force(true);
            }
            if (size == 0) {
                throw new ValidationException("content", "the file is empty");
            }
            Upload upload = new Upload(temp, size, HexFormat.of().formatHex(digest.digest()));
            temp = null;
            return upload;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the upload in " + dir + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                deleteQuietly(temp);
            }
        }
    }

    /** Puts a complete upload in place, replacing any file a failed earlier attempt left there. */
    void commit(Upload upload, Path target) throws IOException {
        Files.move(upload.temp(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The SHA-256 of a stored file, lower-case hex. */
    static String hash(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                digest.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    void deleteFolder(long packageId) {
        Path dir = folder(packageId);
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a leftover temporary file is named as such and replaced or removed with its package
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
