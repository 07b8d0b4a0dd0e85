package org.opendpm.core.internal.security;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.function.Function;

import org.opendpm.api.security.Role;
import org.opendpm.api.security.UserService;
import org.opendpm.store.Database;
import org.opendpm.store.DatabaseReadyListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the first administrator when the database has none: with the password from {@value #ENV} when set (for
 * automation), otherwise with a generated one written to {@code <data>/initial-admin-password}, readable by the owner
 * only. There is no default password.
 */
@Component(service = DatabaseReadyListener.class)
public class InitialAdmin implements DatabaseReadyListener {

    static final String ENV = "OPENDPM_ADMIN_PASSWORD";
    static final String ADMIN = "admin";
    static final String FILE = "initial-admin-password";

    private static final Logger LOG = LoggerFactory.getLogger(InitialAdmin.class);

    private final UserService users;
    private final Path dataFolder;
    private final Function<String, String> environment;

    @Activate
    public InitialAdmin(@Reference UserService users) {
        this(users, Path.of(System.getProperty("karaf.data", "data")), System::getenv);
    }

    InitialAdmin(UserService users, Path dataFolder, Function<String, String> environment) {
        this.users = users;
        this.dataFolder = dataFolder;
        this.environment = environment;
    }

    @Override
    public void databaseReady(Database database) {
        boolean hasAdmin = users.list().stream().anyMatch(u -> u.roles().contains(Role.ADMIN));
        if (hasAdmin) {
            return;
        }
        String given = environment.apply(ENV);
        if (given != null && !given.isEmpty()) {
            users.create(ADMIN, given.toCharArray(), EnumSet.of(Role.ADMIN));
            LOG.info("Created user '{}' with the password from {}", ADMIN, ENV);
            return;
        }
        char[] password = PasswordHash.generate();
        try {
            Path file = writeOwnerOnly(dataFolder.resolve(FILE), password);
            users.create(ADMIN, password, EnumSet.of(Role.ADMIN));
            LOG.info("Created user '{}'; its password is in {} (readable by its owner only)", ADMIN,
                    file.toAbsolutePath());
        } catch (IOException e) {
            LOG.error("Cannot write the initial admin password to {}; no admin was created: {}", dataFolder,
                    e.getMessage());
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static Path writeOwnerOnly(Path file, char[] password) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException raced) {
            throw new IOException("another process created " + file + " at the same time", raced);
        }
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING)) {
            w.write(password);
            w.write('\n');
        }
        return file;
    }

    /** Exposed for tests: the file the generated password goes to. */
    Path passwordFile() {
        return dataFolder.resolve(FILE);
    }

}
