package org.opendpm.store.secret;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A 256-bit server key in a file of the data folder: base64url text, readable by its owner only, generated with
 * {@link SecureRandom} on first use and written aside, forced to disk and moved into place, so a crash never leaves a
 * half-written key.
 */
public final class KeyFile {

    /** Bytes of every key: 256 bits. */
    public static final int KEY_BYTES = 32;
    /** The file holds 43 characters and a line end; anything much larger is not a key and is not read whole. */
    private static final long MAX_FILE_BYTES = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyFile() {
    }

    /**
     * Reads the key in {@code file}, or creates the file with a new random key when there is none.
     *
     * @param what what the key is for, as error messages name it ("Deploy-OS session key")
     * @throws IOException when the file cannot be read or written, or holds no key of {@value #KEY_BYTES} bytes
     */
    public static byte[] loadOrCreate(Path file, String what) throws IOException {
        if (Files.exists(file)) {
            return read(file, what);
        }
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(tmp);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap((Base64.getUrlEncoder().withoutPadding().encodeToString(key) + "\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return key;
    }

    private static byte[] read(Path file, String what) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(file + " is not a " + what + " (too large)");
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        byte[] key;
        try {
            key = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not a " + what + " (not base64url)");
        }
        if (key.length != KEY_BYTES) {
            throw new IOException(file + " is not a " + what + " (" + key.length + " bytes, not " + KEY_BYTES + ")");
        }
        return key;
    }
}
