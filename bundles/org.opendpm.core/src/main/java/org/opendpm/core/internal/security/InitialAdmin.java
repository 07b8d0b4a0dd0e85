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
import java.util.function.Supplier;

import org.apache.karaf.jaas.config.JaasRealm;
import org.opendpm.api.security.LoginReady;

import org.opendpm.api.security.Role;
import org.opendpm.api.security.UserService;
import org.opendpm.store.Database;
import org.opendpm.store.DatabaseReadyListener;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the first administrator when the database has none: with the password from {@value #ENV} when set (for
 * automation), otherwise with a generated one written to {@code <data>/initial-admin-password}, readable by the owner
 * only. There is no default password.
 *
 * <p>Once an admin exists (created now or found), it registers {@link LoginReady}, once for the life of this
 * component: until then REST answers "starting" (503) instead of refusing logins that would succeed a moment later.
 */
// Immediate: a delayed component would be deactivated, withdrawing LoginReady, as soon as the database let go of it.
@Component(service = DatabaseReadyListener.class, immediate = true)
public class InitialAdmin implements DatabaseReadyListener {

    static final String ENV = "OPENDPM_ADMIN_PASSWORD";
    static final String ADMIN = "admin";
    static final String FILE = "initial-admin-password";

    private static final Logger LOG = LoggerFactory.getLogger(InitialAdmin.class);

    private final UserService users;
    private final Path dataFolder;
    private final Function<String, String> environment;
    private final Supplier<Runnable> announceReady;
    /** Withdraws the {@link LoginReady} announcement; null until it is made. */
    private Runnable withdrawReady;

    /**
     * The realm is referenced only so that it is in the JAAS configuration (Karaf adds it while it is being
     * registered) before logins are announced ready.
     */
    @Activate
    public InitialAdmin(@Reference UserService users,
            @Reference(target = "(component.name=org.opendpm.core.internal.security.OpenDpmJaasRealm)") JaasRealm realm,
            BundleContext context) {
        this(users, Path.of(System.getProperty("karaf.data", "data")), System::getenv, () -> context
                .registerService(LoginReady.class, new LoginReady() {
                }, null)::unregister);
    }

    /** {@code announceReady} registers {@link LoginReady} and returns what withdraws it. */
    InitialAdmin(UserService users, Path dataFolder, Function<String, String> environment,
            Supplier<Runnable> announceReady) {
        this.users = users;
        this.dataFolder = dataFolder;
        this.environment = environment;
        this.announceReady = announceReady;
    }

    @Override
    public void databaseReady(Database database) {
        if (ensureAdmin()) {
            announceReadyOnce();
        }
    }

    private synchronized void announceReadyOnce() {
        if (withdrawReady == null) {
            withdrawReady = announceReady.get();
        }
    }

    @Deactivate
    synchronized void deactivate() {
        if (withdrawReady != null) {
            try {
                withdrawReady.run();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping and took its services along
            }
            withdrawReady = null;
        }
    }

    /** Whether an admin exists now, creating the first one if there is none. */
    private boolean ensureAdmin() {
        boolean hasAdmin = users.list().stream().anyMatch(u -> u.roles().contains(Role.ADMIN));
        if (hasAdmin) {
            return true;
        }
        String given = environment.apply(ENV);
        if (given != null && !given.isEmpty()) {
            users.create(ADMIN, given.toCharArray(), EnumSet.of(Role.ADMIN));
            LOG.info("Created user '{}' with the password from {}", ADMIN, ENV);
            return true;
        }
        char[] password = PasswordHash.generate();
        try {
            Path file = writeOwnerOnly(dataFolder.resolve(FILE), password);
            users.create(ADMIN, password, EnumSet.of(Role.ADMIN));
            LOG.info("Created user '{}'; its password is in {} (readable by its owner only)", ADMIN,
                    file.toAbsolutePath());
            return true;
        } catch (IOException e) {
            LOG.error("Cannot write the initial admin password to {}; no admin was created: {}", dataFolder,
                    e.getMessage());
            return false;
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
