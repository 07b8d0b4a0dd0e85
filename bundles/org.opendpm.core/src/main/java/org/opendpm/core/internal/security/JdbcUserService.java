package org.opendpm.core.internal.security;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.security.Role;
import org.opendpm.api.security.User;
import org.opendpm.api.security.UserService;
import org.opendpm.store.Database;
import org.opendpm.store.StoreException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Users in the database with PBKDF2 password hashes. A correct password costs a full PBKDF2 run once; it is then
 * remembered for a short time by a digest of name and password (never the password itself), so that HTTP Basic
 * requests stay cheap. Any change to a user forgets everything remembered.
 */
@Component(service = UserService.class)
public class JdbcUserService implements UserService {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}");
    static final int MIN_PASSWORD_LENGTH = 12;
    private static final long REMEMBER_MILLIS = 5 * 60_000L;
    private static final int REMEMBER_MAX = 10_000;

    private record Remembered(User user, long until) {
    }

    private final Database database;
    private final Map<String, Remembered> verified = new ConcurrentHashMap<>();

    @Activate
    public JdbcUserService(@Reference Database database) {
        this.database = database;
    }

    @Override
    public List<User> list() {
        return database.inTransaction(c -> {
            var users = new ArrayList<User>();
            try (var rs = c.createStatement().executeQuery("SELECT name, roles FROM app_user ORDER BY name")) {
                while (rs.next()) {
                    users.add(new User(rs.getString(1), parseRoles(rs.getString(2))));
                }
            }
            return users;
        });
    }

    @Override
    public Optional<User> find(String name) {
        return database.inTransaction(c -> row(c, name)).map(r -> new User(name, r.roles()));
    }

    private record Row(String hash, Set<Role> roles) {
    }

    private static Optional<Row> row(Connection c, String name) throws SQLException {
        try (var ps = c.prepareStatement("SELECT password_hash, roles FROM app_user WHERE name = ?")) {
            ps.setString(1, name);
            try (var rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Row(rs.getString(1), parseRoles(rs.getString(2))))
                        : Optional.empty();
            }
        }
    }

    @Override
    public User create(String name, char[] password, Set<Role> roles) {
        validateName(name);
        validatePassword(password);
        validateRoles(roles);
        String hash = PasswordHash.hash(password);
        try {
            return database.inTransaction(c -> {
                try (var ps = c.prepareStatement(
                        "INSERT INTO app_user (name, password_hash, roles, created_at) VALUES (?, ?, ?, ?)")) {
                    ps.setString(1, name);
                    ps.setString(2, hash);
                    ps.setString(3, formatRoles(roles));
                    ps.setTimestamp(4, Timestamp.from(Instant.now()));
                    ps.executeUpdate();
                }
                forget();
                return new User(name, roles);
            });
        } catch (StoreException e) {
            if (e.isUniqueViolation()) {
                throw new ConflictException("User '" + name + "' already exists");
            }
            throw e;
        }
    }

    @Override
    public User setRoles(String name, Set<Role> roles) {
        validateRoles(roles);
        return database.inTransaction(c -> {
            Row current = row(c, name).orElseThrow(() -> new NotFoundException("No user '" + name + "'"));
            if (current.roles().contains(Role.ADMIN) && !roles.contains(Role.ADMIN) && adminCount(c) <= 1) {
                throw new ConflictException("User '" + name + "' is the last admin and must keep the admin role");
            }
            try (var ps = c.prepareStatement("UPDATE app_user SET roles = ? WHERE name = ?")) {
                ps.setString(1, formatRoles(roles));
                ps.setString(2, name);
                ps.executeUpdate();
            }
            forget();
            return new User(name, roles);
        });
    }

    @Override
    public void setPassword(String name, char[] password) {
        validatePassword(password);
        String hash = PasswordHash.hash(password);
        database.inTransaction(c -> {
            try (var ps = c.prepareStatement("UPDATE app_user SET password_hash = ? WHERE name = ?")) {
                ps.setString(1, hash);
                ps.setString(2, name);
                if (ps.executeUpdate() == 0) {
                    throw new NotFoundException("No user '" + name + "'");
                }
            }
            forget();
            return null;
        });
    }

    @Override
    public void delete(String name) {
        database.inTransaction(c -> {
            Row current = row(c, name).orElseThrow(() -> new NotFoundException("No user '" + name + "'"));
            if (current.roles().contains(Role.ADMIN) && adminCount(c) <= 1) {
                throw new ConflictException("User '" + name + "' is the last admin and cannot be deleted");
            }
            try (var ps = c.prepareStatement("DELETE FROM app_user WHERE name = ?")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            forget();
            return null;
        });
    }

    /** Number of users holding the admin role. */
    static int adminCount(Connection c) throws SQLException {
        int n = 0;
        try (var rs = c.createStatement().executeQuery("SELECT roles FROM app_user")) {
            while (rs.next()) {
                if (parseRoles(rs.getString(1)).contains(Role.ADMIN)) {
                    n++;
                }
            }
        }
        return n;
    }

    @Override
    public Optional<User> authenticate(String name, char[] password) {
        if (name == null || password == null) {
            return Optional.empty();
        }
        String key = rememberKey(name, password);
        Remembered r = verified.get(key);
        long now = System.currentTimeMillis();
        if (r != null && r.until() > now) {
            return Optional.of(r.user());
        }
        Optional<Row> row = database.inTransaction(c -> row(c, name));
        if (row.isEmpty() || !PasswordHash.verify(password, row.get().hash())) {
            return Optional.empty();
        }
        User user = new User(name, row.get().roles());
        if (verified.size() >= REMEMBER_MAX) {
            verified.clear();
        }
        verified.put(key, new Remembered(user, now + REMEMBER_MILLIS));
        return Optional.of(user);
    }

    private void forget() {
        verified.clear();
    }

    private static String rememberKey(String name, char[] password) {
        try {
            var md = MessageDigest.getInstance("SHA-256");
            md.update(name.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
            md.update(bytes);
            Arrays.fill(bytes.array(), (byte) 0);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void validateName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ValidationException("name", "User name must be 1 to 64 letters, digits, '_', '.', '@' or '-' "
                    + "starting with a letter or digit");
        }
    }

    static void validatePassword(char[] password) {
        if (password == null || password.length < MIN_PASSWORD_LENGTH) {
            throw new ValidationException("password",
                    "Password must have at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        if (password.length > 256) {
            throw new ValidationException("password", "Password must have at most 256 characters");
        }
    }

    static void validateRoles(Set<Role> roles) {
        if (roles == null || roles.isEmpty()) {
            throw new ValidationException("roles", "At least one role is required: admin, operator or viewer");
        }
    }

    static Set<Role> parseRoles(String stored) {
        var roles = EnumSet.noneOf(Role.class);
        for (String s : stored.split(",")) {
            Role.parse(s.strip()).ifPresent(roles::add);
        }
        return roles;
    }

    static String formatRoles(Set<Role> roles) {
        return roles.stream().sorted().map(Role::id).collect(Collectors.joining(","));
    }
}
