package org.opendpm.netboot.internal.tftp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Maps TFTP file names into the server root and refuses everything that could leave it.
 *
 * <p>Refused (as {@link JailException}, answered with ERROR 2): empty names, absolute names
 * ({@code /etc/passwd}, {@code C:...}), any {@code ..} segment, and names whose real path (all
 * symbolic links resolved) is not under the real root. Backslashes are treated as separators
 * first, because Windows boot loaders send {@code boot\x64\wdsnbp.com}; the same checks then
 * catch {@code ..\..\etc\passwd}. The containment test is {@link Path#startsWith(Path)} on real
 * paths, which compares whole name elements: {@code /srv/tftp2} is not under {@code /srv/tftp}.
 */
public final class FileJail {

    /** A name that must not be served or written. */
    public static final class JailException extends Exception {
        private static final long serialVersionUID = 1L;

        public JailException(String message) {
            super(message, null, false, false);
        }
    }

    private final Path realRoot;
    private final Path realWriteDir;

    /**
     * @param root the TFTP root (must exist)
     * @param writeFolder folder that accepts WRQ, relative to the root or absolute inside it;
     *        empty means writing is refused
     */
    public FileJail(Path root, String writeFolder) throws IOException {
        this.realRoot = root.toRealPath();
        if (writeFolder == null || writeFolder.isBlank()) {
            this.realWriteDir = null;
        } else {
            Path wf = realRoot.resolve(writeFolder.trim()).toRealPath();
            if (!wf.startsWith(realRoot) || !Files.isDirectory(wf)) {
                throw new IOException("write folder " + wf + " is not a folder inside the root " + realRoot);
            }
            this.realWriteDir = wf;
        }
    }

    public Path realRoot() {
        return realRoot;
    }

    public Optional<Path> writeDir() {
        return Optional.ofNullable(realWriteDir);
    }

    /**
     * The name as a clean relative path ("a/b/c"), after the lexical checks. Generated content is
     * looked up by this name, so the same checks guard it. A leading slash means the TFTP root, as
     * with tftpd-hpa's {@code -s}: GRUB asks for every file that way ({@code /grub/grub.cfg}).
     */
    public static String normalize(String requested) throws JailException {
        String name = requested.replace('\\', '/');
        if (name.isEmpty()) {
            throw new JailException("empty file name");
        }
        if (name.length() >= 2 && name.charAt(1) == ':' && Character.isLetter(name.charAt(0))) {
            throw new JailException("drive-letter path");
        }
        StringBuilder out = new StringBuilder(name.length());
        for (String segment : name.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                throw new JailException("'..' in path");
            }
            for (int i = 0; i < segment.length(); i++) {
                if (segment.charAt(i) < 0x20 || segment.charAt(i) == 0x7f) {
                    throw new JailException("control character in path");
                }
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(segment);
        }
        if (out.length() == 0) {
            throw new JailException("no file name");
        }
        return out.toString();
    }

    /**
     * The real path of an existing regular file under the root.
     *
     * @throws NoSuchFileException if it does not exist (ERROR 1)
     */
    public Path resolveForRead(String normalized) throws JailException, IOException {
        Path real = realRoot.resolve(normalized).toRealPath();
        if (!real.startsWith(realRoot)) {
            throw new JailException("resolves outside the root (symbolic link)");
        }
        if (!Files.isRegularFile(real)) {
            throw new JailException("not a regular file");
        }
        return real;
    }

    /**
     * Where a WRQ for this name may write: an existing folder under the write folder plus the
     * file name. The caller writes a temporary file beside it and renames it over the target,
     * which replaces a symbolic link rather than following it.
     */
    public Path resolveForWrite(String normalized) throws JailException, IOException {
        if (realWriteDir == null) {
            throw new JailException("writing is disabled");
        }
        Path lexical = realRoot.resolve(normalized);
        Path parent;
        try {
            parent = lexical.getParent().toRealPath();
        } catch (NoSuchFileException e) {
            throw new JailException("folder does not exist");
        }
        if (!parent.startsWith(realWriteDir)) {
            throw new JailException("outside the write folder");
        }
        Path target = parent.resolve(lexical.getFileName());
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new JailException("is a folder");
        }
        return target;
    }
}
