package org.opendpm.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.cert.CertificateException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The agent's state folder: the credential of each agent identity (file mode 600) and the pinned server certificate
 * fingerprint, shared by all identities of one process.
 */
final class StateFolder {

    private static final Logger LOG = Logger.getLogger(StateFolder.class.getName());
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CREDENTIAL = Pattern.compile("[A-Za-z0-9_-]{16,512}");
    static final String PIN_FILE = "server-fingerprint";
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final Path dir;
    private String pinned;

    StateFolder(Path dir) throws IOException {
        this.dir = dir;
        if (!Files.isDirectory(dir)) {
            if (posix()) {
                Files.createDirectories(dir,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        String stored = readTrimmed(dir.resolve(PIN_FILE));
        if (stored != null && !FINGERPRINT.matcher(stored).matches()) {
            throw new IOException("the pinned fingerprint in " + dir.resolve(PIN_FILE)
                    + " is not 64 lower-case hex digits; delete the file to pin the server again");
        }
        this.pinned = stored;
    }

    Path dir() {
        return dir;
    }

    /** The credential file of the machine's own agent, or of one simulated agent. */
    Path credentialFile(String macOrNull) {
        return dir.resolve(macOrNull == null ? "credential" : "credential-" + macOrNull.replace(":", ""));
    }

    String readCredential(Path file) throws IOException {
        String c = readTrimmed(file);
        if (c != null && !CREDENTIAL.matcher(c).matches()) {
            throw new IOException("the credential in " + file + " is malformed; delete the file and have an "
                    + "administrator reset this machine's credential on the server");
        }
        return c;
    }

    /**
     * Deletes the machine's own credential and a pending proposal (a master image must not carry them); the pinned
     * fingerprint stays.
     */
    void forgetCredential() throws IOException {
        Path credential = credentialFile(null);
        boolean deleted = Files.deleteIfExists(credential);
        deleted |= Files.deleteIfExists(credential.resolveSibling(credential.getFileName() + ".pending"));
        if (deleted) {
            LOG.info("Forgot the agent credential in " + dir + "; the agent registers anew at its next connection");
        }
    }

    /** A new credential to propose at registration: 256 random bits, base64url without padding. */
    static String newCredential() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    static boolean validCredential(String c) {
        return c != null && CREDENTIAL.matcher(c).matches();
    }

    void writeCredential(Path file, String credential) throws IOException {
        writeSecret(file, credential + "\n");
    }

    /** Normalises a fingerprint given by hand: colons and case are accepted, anything else is refused. */
    static String normalizeFingerprint(String given) {
        String fp = given.trim().replace(":", "").toLowerCase(Locale.ROOT);
        if (!FINGERPRINT.matcher(fp).matches()) {
            throw new IllegalArgumentException("'" + given + "' is not a SHA-256 fingerprint (64 hex digits)");
        }
        return fp;
    }

    synchronized String pinned() {
        return pinned;
    }

    /** Pins a fingerprint given by the administrator (or by discovery when nothing is pinned yet). */
    synchronized void pin(String fingerprint, String source) throws IOException {
        if (fingerprint.equals(pinned)) {
            return;
        }
        if (pinned != null) {
            LOG.warning("Replacing the pinned server fingerprint " + pinned + " with " + fingerprint + " from "
                    + source);
        } else {
            LOG.info("Pinned the server certificate fingerprint " + fingerprint + " (" + source + ")");
        }
        pinned = fingerprint;
        writeSecret(dir.resolve(PIN_FILE), fingerprint + "\n");
    }

    /**
     * Called during the TLS handshake with the fingerprint the server presented: accepted when it is the pinned
     * one, pinned when nothing is pinned yet (trust on first use), refused otherwise.
     */
    synchronized void checkOrPin(String presented) throws CertificateException {
        if (pinned == null) {
            try {
                pin(presented, "trust on first use");
            } catch (IOException e) {
                // Still usable for this run; the next start pins again.
                LOG.warning("Could not store the pinned fingerprint in " + dir.resolve(PIN_FILE) + ": " + e);
            }
            return;
        }
        if (!pinned.equals(presented)) {
            throw new CertificateException("server certificate fingerprint " + presented
                    + " does not match the pinned " + pinned);
        }
    }

    private static String readTrimmed(Path file) throws IOException {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).trim();
            return s.isEmpty() ? null : s;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Written to a temporary file that is readable by the owner only, then renamed: never half a secret. */
    private void writeSecret(Path file, String content) throws IOException {
        Path tmp = posix()
                ? Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            if (!posix()) {
                restrictToOwner(tmp);
            }
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Where there are no POSIX modes (Windows), an ACL that grants the owner alone; otherwise the file would
     * inherit the folder's ACL, which under %PROGRAMDATA% lets every local user read.
     */
    private static void restrictToOwner(Path file) {
        AclFileAttributeView view = Files.getFileAttributeView(file, AclFileAttributeView.class);
        if (view == null) {
            return;
        }
        try {
            UserPrincipal owner = view.getOwner();
            AclEntry entry = AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(owner)
                    .setPermissions(EnumSet.allOf(AclEntryPermission.class)).build();
            view.setAcl(List.of(entry));
        } catch (IOException e) {
            LOG.warning("Could not restrict " + file + " to its owner: " + e);
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
