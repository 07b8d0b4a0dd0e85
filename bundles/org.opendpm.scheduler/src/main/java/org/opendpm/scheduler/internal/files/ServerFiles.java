package org.opendpm.scheduler.internal.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.files.FileOperationService;
import org.opendpm.api.files.ServerFile;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The server's file folder (FIL-1): the files administrators may send to machines. A jail: a name is one plain file
 * name, and a symbolic link leading out of the folder is refused.
 */
@Component(service = ServerFiles.class, configurationPid = ServerFiles.PID)
@Designate(ocd = ServerFiles.Config.class)
public class ServerFiles {

    static final String PID = "org.opendpm.files";
    private static final String KARAF_DATA = "${karaf.data}";

    @ObjectClassDefinition(name = "OpenDPM file distribution", description = "Where the files to send live")
    public @interface Config {
        @AttributeDefinition(description = "Folder of the files that can be sent to machines (FIL-1)")
        String folder() default KARAF_DATA + "/files";
    }

    private volatile Path root;

    @Activate
    public ServerFiles(Config config) {
        modified(config);
    }

    public ServerFiles(Path root) {
        this.root = root;
    }

    @Modified
    void modified(Config config) {
        String folder = config.folder();
        if (folder.startsWith(KARAF_DATA)) {
            folder = System.getProperty("karaf.data", "data") + folder.substring(KARAF_DATA.length());
        }
        root = Path.of(folder).toAbsolutePath().normalize();
    }

    public Path root() throws IOException {
        Path r = root;
        Files.createDirectories(r);
        return r;
    }

    /** An existing server file by name. */
    public Path resolve(String name) {
        Path file = inRoot(name);
        if (!Files.isRegularFile(file)) {
            throw new NotFoundException("No file " + name + " in the server's file folder");
        }
        try {
            if (!file.toRealPath().startsWith(root().toRealPath())) {
                throw new ValidationException("file", "\"" + name + "\" leads out of the server's file folder");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    List<ServerFile> list() {
        List<ServerFile> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(root())) {
            for (Path p : s.sorted().toList()) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !p.getFileName().toString().startsWith(".")) {
                    files.add(describe(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    ServerFile store(String name, InputStream content) {
        Path target = inRoot(name);
        try {
            Path tmp = Files.createTempFile(root(), ".upload-", ".tmp");
            try {
                Files.copy(content, tmp, StandardCopyOption.REPLACE_EXISTING);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return describe(target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean delete(String name) {
        try {
            return Files.deleteIfExists(inRoot(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path inRoot(String name) {
        if (name == null || name.isEmpty()) {
            throw new ValidationException("file", "A file name is required");
        }
        if (name.length() > FileOperationService.MAX_NAME || name.equals(".") || name.equals("..")
                || name.startsWith(".") || name.indexOf('/') >= 0 || name.indexOf('\\') >= 0
                || name.indexOf('\0') >= 0 || name.chars().anyMatch(ch -> ch < 0x20)) {
            throw new ValidationException("file", "\"" + name + "\" is not a plain file name (at most "
                    + FileOperationService.MAX_NAME + " characters, no path separators, not starting with a dot)");
        }
        Path r = root;
        Path file = r.resolve(name).normalize();
        if (!r.equals(file.getParent())) {
            throw new ValidationException("file", "\"" + name + "\" is not a plain file name");
        }
        return file;
    }

    private static ServerFile describe(Path p) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(p), sha)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return new ServerFile(p.getFileName().toString(), Files.size(p), Files.getLastModifiedTime(p).toInstant(),
                HexFormat.of().formatHex(sha.digest()));
    }
}
