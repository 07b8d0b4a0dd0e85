package org.opendpm.core.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import javax.security.auth.Subject;
import javax.security.auth.login.FailedLoginException;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.ConflictException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.security.Role;
import org.opendpm.core.internal.TestDatabases;
import org.opendpm.store.Database;

/** Users, password hashes, the login module and the first admin (no default password). */
public class JdbcUserServiceTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final Database database = TestDatabases.fresh();
    private final JdbcUserService users = new JdbcUserService(database);

    @Test
    public void storesOnlyAHashAndAuthenticates() throws Exception {
        users.create("alice", "correct horse battery".toCharArray(), EnumSet.of(Role.OPERATOR));
        String stored = database.inTransaction(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT password_hash FROM app_user")) {
                rs.next();
                return rs.getString(1);
            }
        });
        assertThat(stored).startsWith("pbkdf2-sha256$").doesNotContain("correct horse");
        assertThat(users.authenticate("alice", "correct horse battery".toCharArray())).isPresent();
        assertThat(users.authenticate("alice", "correct horse battery".toCharArray())).isPresent();
        assertThat(users.authenticate("alice", "wrong password here".toCharArray())).isEmpty();
        assertThat(users.authenticate("bob", "correct horse battery".toCharArray())).isEmpty();

        users.setPassword("alice", "another good password".toCharArray());
        assertThat(users.authenticate("alice", "correct horse battery".toCharArray())).isEmpty();
        assertThat(users.authenticate("alice", "another good password".toCharArray())).isPresent();
    }

    @Test
    public void refusesBadInputAndDuplicates() {
        assertThatThrownBy(() -> users.create("bad name", "long enough password".toCharArray(),
                EnumSet.of(Role.VIEWER))).isInstanceOfSatisfying(ValidationException.class,
                        e -> assertThat(e.field()).isEqualTo("name"));
        assertThatThrownBy(() -> users.create("bob", "short".toCharArray(), EnumSet.of(Role.VIEWER)))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("password"));
        assertThatThrownBy(() -> users.create("bob", "long enough password".toCharArray(), EnumSet.noneOf(Role.class)))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("roles"));
        users.create("bob", "long enough password".toCharArray(), EnumSet.of(Role.VIEWER));
        assertThatThrownBy(() -> users.create("bob", "long enough password".toCharArray(), EnumSet.of(Role.VIEWER)))
                .isInstanceOf(ConflictException.class).hasMessageContaining("already exists");
    }

    @Test
    public void theLastAdminStays() {
        users.create("root1", "long enough password".toCharArray(), EnumSet.of(Role.ADMIN));
        assertThatThrownBy(() -> users.delete("root1")).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> users.setRoles("root1", EnumSet.of(Role.VIEWER)))
                .isInstanceOf(ConflictException.class);
        users.create("root2", "long enough password".toCharArray(), EnumSet.of(Role.ADMIN));
        users.delete("root1");
        assertThat(users.list()).extracting(u -> u.name()).containsExactly("root2");
    }

    @Test
    public void loginModuleGivesImpliedRoles() throws Exception {
        users.create("op", "long enough password".toCharArray(), EnumSet.of(Role.OPERATOR));
        Subject subject = login("op", "long enough password");
        assertThat(subject.getPrincipals(RolePrincipal.class)).extracting(RolePrincipal::getName)
                .containsExactlyInAnyOrder("viewer", "operator");
        assertThatThrownBy(() -> login("op", "wrong wrong wrong")).isInstanceOf(FailedLoginException.class);
        users.create("boss", "long enough password".toCharArray(), EnumSet.of(Role.ADMIN));
        assertThat(login("boss", "long enough password").getPrincipals(RolePrincipal.class))
                .extracting(RolePrincipal::getName)
                .containsExactlyInAnyOrder("viewer", "operator", "admin", "manager", "systembundles");
    }

    private Subject login(String name, String password) throws Exception {
        var module = new UserServiceLoginModule();
        var subject = new Subject();
        module.initialize(subject, UserServiceLoginModuleTest.credentials(name, password, null), Map.of(),
                Map.of(UserServiceLoginModule.USER_SERVICE_OPTION, users, UserServiceLoginModule.THROTTLE_OPTION,
                        new InMemoryLoginThrottle(InMemoryLoginThrottleTest.config(5, 20, 1, 900, 3600, 10_000))));
        module.login();
        module.commit();
        return subject;
    }

    @Test
    public void firstStartGeneratesAnOwnerOnlyPasswordFile() throws Exception {
        Path data = tmp.newFolder("data").toPath();
        var announced = new AtomicInteger();
        var initial = new InitialAdmin(users, data, name -> null, () -> {
            // Logins are announced ready only once the admin can log in.
            assertThat(users.list()).anyMatch(u -> u.roles().contains(Role.ADMIN));
            announced.incrementAndGet();
            return () -> announced.decrementAndGet();
        });
        initial.databaseReady(database);
        assertThat(announced).hasValue(1);
        // The database coming back (ready again) announces nothing more.
        initial.databaseReady(database);
        assertThat(announced).hasValue(1);
        Path file = initial.passwordFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        String password = Files.readString(file).strip();
        assertThat(password).hasSize(24);
        assertThat(users.authenticate("admin", password.toCharArray())).get()
                .satisfies(u -> assertThat(u.roles()).contains(Role.ADMIN));
        // A second start with an admin present changes nothing.
        var again = new InitialAdmin(users, data, name -> null, () -> {
            announced.incrementAndGet();
            return () -> announced.decrementAndGet();
        });
        again.databaseReady(database);
        assertThat(Files.readString(file).strip()).isEqualTo(password);
        assertThat(announced).hasValue(2);
        again.deactivate();
        initial.deactivate();
        assertThat(announced).hasValue(0);
    }

    @Test
    public void withoutAnAdminLoginsAreNotAnnouncedReady() throws Exception {
        Path notAFolder = tmp.newFile("data-is-a-file").toPath();
        var announced = new AtomicInteger();
        var initial = new InitialAdmin(users, notAFolder, name -> null, () -> {
            announced.incrementAndGet();
            return () -> {
            };
        });
        initial.databaseReady(database);
        assertThat(users.list()).isEmpty();
        assertThat(announced).hasValue(0);
        assertThatThrownBy(() -> new InitialAdmin(users, notAFolder,
                name -> InitialAdmin.ENV.equals(name) ? "short" : null, () -> {
                    announced.incrementAndGet();
                    return () -> {
                    };
                }).databaseReady(database)).isInstanceOf(ValidationException.class);
        assertThat(announced).hasValue(0);
    }

    @Test
    public void environmentSetsTheFirstPasswordAndNoFileIsWritten() throws Exception {
        Path data = tmp.newFolder("data2").toPath();
        var announced = new AtomicInteger();
        var initial = new InitialAdmin(users, data,
                name -> InitialAdmin.ENV.equals(name) ? "from the environment" : null, () -> {
                    assertThat(users.authenticate("admin", "from the environment".toCharArray())).isPresent();
                    announced.incrementAndGet();
                    return () -> {
                    };
                });
        initial.databaseReady(database);
        assertThat(announced).hasValue(1);
        assertThat(initial.passwordFile()).doesNotExist();
        assertThat(users.authenticate("admin", "from the environment".toCharArray())).isPresent();
    }
}
