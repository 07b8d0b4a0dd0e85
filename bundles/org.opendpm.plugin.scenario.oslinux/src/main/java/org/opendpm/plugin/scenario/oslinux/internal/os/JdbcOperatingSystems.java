package org.opendpm.plugin.scenario.oslinux.internal.os;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.commons.codec.digest.Sha2Crypt;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.os.OperatingSystem;
import org.opendpm.api.os.OperatingSystemService;
import org.opendpm.api.os.OperatingSystemSpec;
import org.opendpm.api.os.OsType;
import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registered operating systems in {@code operating_system} (changeSet {@code 12-operating-systems}). Every change
 * first updates the one row of {@code os_state}, so a name's uniqueness is checked under that row lock.
 */
@Component(service = OperatingSystemService.class)
public class JdbcOperatingSystems implements OperatingSystemService {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcOperatingSystems.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SALT_CHARS = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    /** Longest root password hashed, in characters; crypt(3) implementations read far less in practice. */
    private static final int MAX_PASSWORD = 1024;
    private static final String COLUMNS = "id, name, os_type, kernel, initrd, source, updated_at";

    private final Database database;
    private final Clock clock;

    @Activate
    public JdbcOperatingSystems(@Reference Database database) {
        this(database, Clock.systemUTC());
    }

    public JdbcOperatingSystems(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    @Override
    public List<OperatingSystem> list() {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM operating_system ORDER BY name_key")) {
                return read(ps);
            }
        });
    }

    @Override
    public OperatingSystem get(long id) {
        return database.inTransaction(c -> byId(c, id))
                .orElseThrow(() -> new NotFoundException("No operating system " + id));
    }

    @Override
    public Optional<OperatingSystem> find(String name) {
        if (name == null || name.length() > MAX_NAME) {
            return Optional.empty();
        }
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM operating_system WHERE name_key = ?")) {
                ps.setString(1, name.toLowerCase(Locale.ROOT));
                return read(ps).stream().findFirst();
            }
        });
    }

    @Override
    public OperatingSystem create(OperatingSystemSpec spec) {
        OsNames.check(spec);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        OperatingSystem created = database.inTransaction(c -> {
            long id = lockAndNextId(c);
            refuseTaken(c, spec.name(), -1);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO operating_system (id, name, name_key,"
                    + " os_type, kernel, initrd, source, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setLong(1, id);
                bind(ps, 2, spec, now);
                ps.executeUpdate();
            }
            return new OperatingSystem(id, spec.name(), spec.type(), spec.kernel(), spec.initrd(), spec.source(), now);
        });
        LOG.info("Operating system {} registered ({}, id {})", created.name(), created.type().key(), created.id());
        return created;
    }

    @Override
    public OperatingSystem update(long id, OperatingSystemSpec spec) {
        OsNames.check(spec);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        OperatingSystem updated = database.inTransaction(c -> {
            lockAndNextId(c);
            if (byId(c, id).isEmpty()) {
                throw new NotFoundException("No operating system " + id);
            }
            refuseTaken(c, spec.name(), id);
            try (PreparedStatement ps = c.prepareStatement("UPDATE operating_system SET name = ?, name_key = ?,"
                    + " os_type = ?, kernel = ?, initrd = ?, source = ?, updated_at = ? WHERE id = ?")) {
                bind(ps, 1, spec, now);
                ps.setLong(8, id);
                ps.executeUpdate();
            }
            return new OperatingSystem(id, spec.name(), spec.type(), spec.kernel(), spec.initrd(), spec.source(), now);
        });
        LOG.info("Operating system {} changed ({}, id {})", updated.name(), updated.type().key(), id);
        return updated;
    }

    @Override
    public void delete(long id) {
        database.inTransaction(c -> {
            lockAndNextId(c);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM operating_system WHERE id = ?")) {
                ps.setLong(1, id);
                if (ps.executeUpdate() == 0) {
                    throw new NotFoundException("No operating system " + id);
                }
            }
            return null;
        });
        LOG.info("Operating system {} deleted", id);
    }

    @Override
    public String hashPassword(char[] password) {
        if (password == null || password.length == 0) {
            throw new ValidationException("password", "A password is required");
        }
        if (password.length > MAX_PASSWORD) {
            throw new ValidationException("password", "A password has at most " + MAX_PASSWORD + " characters");
        }
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        StringBuilder salt = new StringBuilder("$6$");
        for (int i = 0; i < 16; i++) {
            salt.append(SALT_CHARS.charAt(RANDOM.nextInt(SALT_CHARS.length())));
        }
        try {
            return Sha2Crypt.sha512Crypt(bytes, salt.toString());
        } finally {
            Arrays.fill(bytes, (byte) 0);
            if (encoded.hasArray()) {
                Arrays.fill(encoded.array(), (byte) 0);
            }
        }
    }

    private static long lockAndNextId(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE os_state SET next_id = next_id + 1 WHERE id = 1")) {
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT next_id - 1 FROM os_state WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void refuseTaken(Connection c, String name, long self) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM operating_system WHERE name_key = ?")) {
            ps.setString(1, name.toLowerCase(Locale.ROOT));
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getLong(1) != self) {
                    throw new ConflictException("An operating system named " + name + " is already registered");
                }
            }
        }
    }

    private static void bind(PreparedStatement ps, int first, OperatingSystemSpec spec, Instant now)
            throws SQLException {
        ps.setString(first, spec.name());
        ps.setString(first + 1, spec.name().toLowerCase(Locale.ROOT));
        ps.setString(first + 2, spec.type().key());
        ps.setString(first + 3, spec.kernel());
        ps.setString(first + 4, spec.initrd());
        ps.setString(first + 5, spec.source());
        ps.setTimestamp(first + 6, Timestamp.from(now));
    }

    private static Optional<OperatingSystem> byId(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM operating_system WHERE id = ?")) {
            ps.setLong(1, id);
            return read(ps).stream().findFirst();
        }
    }

    private static List<OperatingSystem> read(PreparedStatement ps) throws SQLException {
        List<OperatingSystem> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                // A type key this version does not know (written by a newer server) is an error, not a guess.
                OsType type = OsType.ofKey(rs.getString(3)).orElseThrow(() -> new IllegalStateException(
                        "unknown operating system type in the database"));
                out.add(new OperatingSystem(rs.getLong(1), rs.getString(2), type, rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getTimestamp(7).toInstant()));
            }
        }
        return out;
    }
}
