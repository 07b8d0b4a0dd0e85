package org.opendpm.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The files the server is sending on one connection (FIL-1). Each goes to a temporary file in its target folder and
 * replaces the target only after size and SHA-256 match, permissions are set and the data is on disk, so a reader of
 * the target sees either the old file or the whole new one.
 *
 * <p>Used from the connection's reader thread only.
 */
final class FileReceiver {

    private static final Logger LOG = Logger.getLogger(FileReceiver.class.getName());
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern PERMISSIONS = Pattern.compile("[0-7]{3}");
    private static final String WINDOWS_FORBIDDEN = "<>:\"|?*";
    /** Refused transfers whose data frames may still be on the way; bounded, the oldest is forgotten first. */
    private static final int MAX_DISCARDED = 256;

    /** A transfer that failed: the request is answered with this message, its data is discarded. */
    static final class TransferFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final long requestId;

        TransferFailure(long requestId, String message) {
            super(message);
            this.requestId = requestId;
        }
    }

    private static final class Transfer {
        final long requestId;
        final Path target;
        final long size;
        final String sha256;
        final Set<PosixFilePermission> permissions;
        final MessageDigest digest;
        final Path temp;
        FileChannel channel;
        long received;

        Transfer(long requestId, Path target, long size, String sha256, Set<PosixFilePermission> permissions,
                Path temp, FileChannel channel) {
            this.requestId = requestId;
            this.target = target;
            this.size = size;
            this.sha256 = sha256;
            this.permissions = permissions;
            this.temp = temp;
            this.channel = channel;
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final boolean write;
    private final Map<Long, Transfer> open = new HashMap<>();
    private final Set<Long> discarded = new LinkedHashSet<>();

    /** @param write false for simulated agents: data is checked (size, SHA-256) but not written anywhere */
    FileReceiver(boolean write) {
        this.write = write;
    }

    /** Validates a {@code fileBegin} and opens its temporary file. */
    void begin(long requestId, long transferId, String folder, String name, long size, String sha256,
            String permissions) throws TransferFailure {
        if (open.containsKey(transferId)) {
            // Not discarded: the data frames belong to the transfer already open.
            throw new TransferFailure(requestId, "transfer " + transferId + " is already open");
        }
        try {
            checkName(requestId, name);
            Path dir = checkFolder(requestId, folder);
            String sha = sha256.toLowerCase(Locale.ROOT);
            if (!SHA256.matcher(sha).matches()) {
                throw new TransferFailure(requestId, "sha256 '" + sha256 + "' is not 64 hex digits");
            }
            if (size < 0) {
                throw new TransferFailure(requestId, "size " + size + " is negative");
            }
            Set<PosixFilePermission> perms = parsePermissions(requestId, permissions);
            Path target = dir.resolve(name);
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new TransferFailure(requestId, target + " is a folder; a file cannot replace it");
            }
            Path temp = null;
            FileChannel channel = null;
            if (write) {
                try {
                    // Created with mode 600 on POSIX systems: nobody reads the file before its permissions are set.
                    temp = Files.createTempFile(dir, ".opendpm-" + transferId + "-", ".part");
                    channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                } catch (IOException e) {
                    if (temp != null) {
                        deleteQuietly(temp);
                    }
                    throw new TransferFailure(requestId, "cannot write in folder " + dir + ": " + e);
                }
            }
            open.put(transferId, new Transfer(requestId, target, size, sha, perms, temp, channel));
        } catch (TransferFailure f) {
            discard(transferId);
            throw f;
        }
    }

    /**
     * One data chunk. Returns false when no transfer with this id is open or was refused; the caller logs it.
     */
    boolean data(long transferId, byte[] payload, int offset, int length) throws TransferFailure {
        Transfer t = open.get(transferId);
        if (t == null) {
            return discarded.contains(transferId);
        }
        if (t.received + length > t.size) {
            fail(transferId, t, "more data than the announced size of " + t.size + " bytes");
        }
        t.digest.update(payload, offset, length);
        if (t.channel != null) {
            try {
                ByteBuffer buf = ByteBuffer.wrap(payload, offset, length);
                while (buf.hasRemaining()) {
                    t.channel.write(buf);
                }
            } catch (IOException e) {
                fail(transferId, t, "writing " + t.target + " failed: " + e);
            }
        }
        t.received += length;
        return true;
    }

    /**
     * Finishes a transfer on {@code fileEnd}. Returns the request id to acknowledge, or -1 when the transfer had
     * already been refused and answered.
     */
    long end(long requestId, long transferId) throws TransferFailure {
        Transfer t = open.get(transferId);
        if (t == null) {
            if (discarded.remove(transferId)) {
                return -1;
            }
            throw new TransferFailure(requestId, "no open transfer " + transferId);
        }
        if (t.received != t.size) {
            fail(transferId, t, "received " + t.received + " bytes, announced " + t.size);
        }
        String actual = HexFormat.of().formatHex(t.digest.digest());
        if (!actual.equals(t.sha256)) {
            fail(transferId, t, "SHA-256 mismatch for " + t.target + ": received data has " + actual
                    + ", announced " + t.sha256);
        }
        if (t.channel != null) {
            try {
                if (t.permissions != null && posix()) {
                    Files.setPosixFilePermissions(t.temp, t.permissions);
                }
                t.channel.force(true);
                t.channel.close();
                t.channel = null;
                moveOver(t.temp, t.target);
                syncFolder(t.target.getParent());
            } catch (IOException e) {
                fail(transferId, t, "placing " + t.target + " failed: " + e);
            }
        }
        open.remove(transferId);
        LOG.info("Received " + t.target + " (" + t.size + " bytes)" + (write ? "" : ", simulated: not written"));
        return t.requestId;
    }

    /**
     * The server cancelled request {@code requestId}: its temporary file is removed and its data still on the way is
     * discarded; false when no transfer of that request is open.
     */
    boolean cancel(long requestId) {
        for (Map.Entry<Long, Transfer> e : open.entrySet()) {
            if (e.getValue().requestId == requestId) {
                open.remove(e.getKey());
                cleanUp(e.getValue());
                discard(e.getKey());
                LOG.info("Transfer of " + e.getValue().target + " cancelled by the server");
                return true;
            }
        }
        return false;
    }

    /** The connection ended: temporary files of unfinished transfers are removed. */
    void abortAll() {
        for (Map.Entry<Long, Transfer> e : open.entrySet()) {
            Transfer t = e.getValue();
            LOG.warning("Transfer of " + t.target + " interrupted after " + t.received + " of " + t.size
                    + " bytes; temporary file removed");
            cleanUp(t);
        }
        open.clear();
        discarded.clear();
    }

    int openCount() {
        return open.size();
    }

    private void fail(long transferId, Transfer t, String message) throws TransferFailure {
        open.remove(transferId);
        cleanUp(t);
        discard(transferId);
        throw new TransferFailure(t.requestId, message);
    }

    private void discard(long transferId) {
        discarded.add(transferId);
        if (discarded.size() > MAX_DISCARDED) {
            discarded.remove(discarded.iterator().next());
        }
    }

    private static void cleanUp(Transfer t) {
        if (t.channel != null) {
            try {
                t.channel.close();
            } catch (IOException e) {
                // deleted below regardless
            }
        }
        if (t.temp != null) {
            deleteQuietly(t.temp);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warning("Could not delete the temporary file " + p + ": " + e);
        }
    }

    /** A plain file name: the folder is given separately, so a name can never point elsewhere. */
    static void checkName(long requestId, String name) throws TransferFailure {
        boolean bad = name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\\') >= 0 || name.indexOf('\0') >= 0;
        if (!bad && Platform.isWindows()) {
            for (char c : name.toCharArray()) {
                if (c < 32 || WINDOWS_FORBIDDEN.indexOf(c) >= 0) {
                    bad = true;
                }
            }
        }
        if (bad) {
            throw new TransferFailure(requestId, "'" + name + "' is not a plain file name");
        }
    }

    static Path checkFolder(long requestId, String folder) throws TransferFailure {
        Path dir;
        try {
            dir = Path.of(folder);
        } catch (RuntimeException e) {
            throw new TransferFailure(requestId, "folder '" + folder + "' is not a valid path");
        }
        if (!dir.isAbsolute()) {
            throw new TransferFailure(requestId, "folder '" + folder + "' is not an absolute path");
        }
        if (!Files.exists(dir)) {
            // Not created: a typing error in the folder must not scatter new folders over the machine.
            throw new TransferFailure(requestId, "folder " + folder + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new TransferFailure(requestId, folder + " is not a folder");
        }
        return dir;
    }

    /** Three octal digits; absent means 644. Ignored where the file system has no POSIX permissions. */
    static Set<PosixFilePermission> parsePermissions(long requestId, String permissions) throws TransferFailure {
        String p = permissions == null ? "644" : permissions;
        if (!PERMISSIONS.matcher(p).matches()) {
            throw new TransferFailure(requestId, "permissions '" + permissions + "' are not three octal digits");
        }
        PosixFilePermission[] order = { PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_EXECUTE };
        int bits = Integer.parseInt(p, 8);
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < 9; i++) {
            if ((bits & (1 << (8 - i))) != 0) {
                set.add(order[i]);
            }
        }
        return set;
    }

    static String formatPermissions(Set<PosixFilePermission> perms) {
        int bits = 0;
        PosixFilePermission[] order = PosixFilePermission.values();
        // PosixFilePermission declares OWNER_READ ... OTHERS_EXECUTE in the order of the octal bits.
        for (int i = 0; i < order.length; i++) {
            if (perms.contains(order[i])) {
                bits |= 1 << (8 - i);
            }
        }
        return String.format("%03o", bits);
    }

    private static void moveOver(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename itself durable where the system allows syncing a directory (Linux); elsewhere skipped. */
    private static void syncFolder(Path dir) {
        if (Platform.isWindows() || dir == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.fine("Could not sync folder " + dir + ": " + e);
        }
    }

    static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
