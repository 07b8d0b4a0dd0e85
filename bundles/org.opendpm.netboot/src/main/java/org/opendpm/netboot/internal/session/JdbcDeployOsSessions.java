package org.opendpm.netboot.internal.session;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.StoreUnavailableException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.boot.DeployOsSessions;
import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploy-OS session tokens in table {@code deployos_session} (changeSet {@code 9-deployos-sessions}), one row per
 * machine. The row holds a random nonce, never the token: the token is HMAC-SHA256 over machine, execution and nonce
 * with the server key ({@link SessionKey}), so network boot can put it on the kernel command line whenever the
 * machine boots and every server holding the same key derives the same token.
 *
 * <p>A redeem marks the row used with {@code UPDATE ... WHERE used_at IS NULL} and the nonce it checked, so of two
 * concurrent redeems of one token exactly one wins, and a token issued meanwhile is not consumed by the old one.
 * A redeemed session gives its Deploy-OS agent a resume key, derived from the same row, with which it is admitted
 * again after a lost connection until the session is revoked, replaced or expires. Tokens and keys are never logged.
 */
@Component(service = DeployOsSessions.class)
public final class JdbcDeployOsSessions implements DeployOsSessions {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcDeployOsSessions.class);
    private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}([:-][0-9a-f]{2}){5}");
    /** base64url of 256 bits without padding. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final Database database;
    private final SessionKey key;
    private final Clock clock;
    /** Set once the database's key check matched this server's key; never reset (the key does not change). */
    private volatile boolean keyConfirmed;

    @Activate
    public JdbcDeployOsSessions(@Reference Database database) throws IOException {
        this(database, SessionKey.loadOrCreate(Path.of(System.getProperty("karaf.data", "data"), "netboot",
                "deployos-session.key")), Clock.systemUTC());
    }

    JdbcDeployOsSessions(Database database, SessionKey key, Clock clock) {
        this.database = database;
        this.key = key;
        this.clock = clock;
    }

    @Override
    public void issue(long machineId, long executionId, Instant expiresAt) {
        if (expiresAt == null || !expiresAt.isAfter(clock.instant())) {
            throw new ValidationException("expiresAt", "A Deploy-OS session must expire in the future, not at "
                    + expiresAt);
        }
        Instant now = now();
        String nonce = SessionKey.nonce();
        Instant expires = expiresAt.truncatedTo(ChronoUnit.MILLIS);
        database.inTransaction(c -> {
            confirmKey(c);
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM machine WHERE id = ?")) {
                ps.setLong(1, machineId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new NotFoundException("Machine " + machineId + " does not exist");
                    }
                }
            }
            if (update(c, machineId, executionId, nonce, now, expires) == 0) {
                // On PostgreSQL a failed statement aborts the transaction; the savepoint keeps it usable when a
                // concurrent issue inserted first, and this one then replaces it.
                Savepoint beforeInsert = c.setSavepoint();
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO deployos_session (execution_id, nonce,"
                        + " issued_at, expires_at, used_at, machine_id) VALUES (?, ?, ?, ?, NULL, ?)")) {
                    ps.setLong(1, executionId);
                    ps.setString(2, nonce);
                    ps.setTimestamp(3, Timestamp.from(now));
                    ps.setTimestamp(4, Timestamp.from(expires));
                    ps.setLong(5, machineId);
                    ps.executeUpdate();
                } catch (SQLException e) {
                    if (!"23505".equals(e.getSQLState())) {
                        throw e;
                    }
                    c.rollback(beforeInsert);
                    update(c, machineId, executionId, nonce, now, expires);
                }
            }
            return null;
        });
        LOG.info("Deploy-OS session issued for machine {} in execution {}, valid until {}", machineId, executionId,
                expires);
    }

    private static int update(Connection c, long machineId, long executionId, String nonce, Instant now,
            Instant expires) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE deployos_session SET execution_id = ?, nonce = ?,"
                + " issued_at = ?, expires_at = ?, used_at = NULL WHERE machine_id = ?")) {
            ps.setLong(1, executionId);
            ps.setString(2, nonce);
            ps.setTimestamp(3, Timestamp.from(now));
            ps.setTimestamp(4, Timestamp.from(expires));
            ps.setLong(5, machineId);
            return ps.executeUpdate();
        }
    }

    @Override
    public Optional<String> token(long machineId) {
        Instant now = now();
        return database.inTransaction(c -> {
            confirmKey(c);
            try (PreparedStatement ps = c.prepareStatement("SELECT execution_id, nonce FROM deployos_session"
                    + " WHERE machine_id = ? AND used_at IS NULL AND expires_at > ?")) {
                ps.setLong(1, machineId);
                ps.setTimestamp(2, Timestamp.from(now));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next()
                            ? Optional.of(key.token(machineId, rs.getLong(1), rs.getString(2)))
                            : Optional.<String>empty();
                }
            }
        });
    }

    @Override
    public Optional<Long> redeem(String mac, String token) {
        Optional<String> canonical = canonicalMac(mac, token, "token");
        if (canonical.isEmpty()) {
            return Optional.empty();
        }
        Instant now = now();
        return database.inTransaction(c -> {
            confirmKey(c);
            Optional<Row> found = row(c, canonical.get());
            if (found.isEmpty()) {
                LOG.warn("Deploy-OS session for {} refused: none issued", canonical.get());
                return Optional.<Long>empty();
            }
            Row r = found.get();
            if (!SessionKey.sameToken(key.token(r.machineId, r.executionId, r.nonce), token)) {
                LOG.warn("Deploy-OS session for {} (machine {}) refused: wrong token", canonical.get(), r.machineId);
                return Optional.<Long>empty();
            }
            if (r.used) {
                LOG.warn("Deploy-OS session for {} (machine {}, execution {}) refused: already used", canonical.get(),
                        r.machineId, r.executionId);
                return Optional.<Long>empty();
            }
            if (!r.expires.isAfter(now)) {
                LOG.warn("Deploy-OS session for {} (machine {}, execution {}) refused: expired at {}", canonical.get(),
                        r.machineId, r.executionId, r.expires);
                return Optional.<Long>empty();
            }
            return markUsed(c, r.machineId, r.executionId, r.nonce, now)
                    ? Optional.of(r.executionId)
                    : Optional.<Long>empty();
        });
    }

    @Override
    public Optional<String> resumeKey(String mac) {
        Optional<String> canonical = canonicalMac(mac, "", null);
        if (canonical.isEmpty()) {
            return Optional.empty();
        }
        Instant now = now();
        return database.inTransaction(c -> {
            confirmKey(c);
            return row(c, canonical.get()).filter(r -> r.used && r.expires.isAfter(now))
                    .map(r -> key.resumeKey(r.machineId, r.executionId, r.nonce));
        });
    }

    /**
     * Nothing is written: the key is derived from the row that {@link #redeem} marked used, so a new issue (new
     * nonce) or a revoke (no row) ends it without a column of its own.
     */
    @Override
    public Optional<Long> resume(String mac, String resumeKey) {
        Optional<String> canonical = canonicalMac(mac, resumeKey, "resume key");
        if (canonical.isEmpty()) {
            return Optional.empty();
        }
        Instant now = now();
        return database.inTransaction(c -> {
            confirmKey(c);
            Optional<Row> found = row(c, canonical.get());
            if (found.isEmpty()) {
                LOG.warn("Deploy-OS resume for {} refused: no session (revoked or never issued)", canonical.get());
                return Optional.<Long>empty();
            }
            Row r = found.get();
            if (!SessionKey.sameToken(key.resumeKey(r.machineId, r.executionId, r.nonce), resumeKey)) {
                LOG.warn("Deploy-OS resume for {} (machine {}) refused: wrong resume key", canonical.get(),
                        r.machineId);
                return Optional.<Long>empty();
            }
            if (!r.used) {
                LOG.warn("Deploy-OS resume for {} (machine {}, execution {}) refused: its session was not redeemed",
                        canonical.get(), r.machineId, r.executionId);
                return Optional.<Long>empty();
            }
            if (!r.expires.isAfter(now)) {
                LOG.warn("Deploy-OS resume for {} (machine {}, execution {}) refused: expired at {}", canonical.get(),
                        r.machineId, r.executionId, r.expires);
                return Optional.<Long>empty();
            }
            LOG.info("Deploy-OS session of machine {} for execution {} resumed", r.machineId, r.executionId);
            return Optional.of(r.executionId);
        });
    }

    /**
     * The MAC in canonical form when it and {@code secret} are well-shaped, bounded before anything is looked up or
     * computed; {@code what} names the secret in the log line of a refusal ({@code null}: the secret is not checked).
     */
    private static Optional<String> canonicalMac(String mac, String secret, String what) {
        if (mac == null || mac.length() != 17 || secret == null
                || what != null && !TOKEN.matcher(secret).matches()) {
            if (what != null) {
                LOG.warn("Deploy-OS session refused: malformed MAC or {}", what);
            }
            return Optional.empty();
        }
        String canonical = mac.toLowerCase(Locale.ROOT).replace('-', ':');
        if (!MAC.matcher(canonical).matches()) {
            if (what != null) {
                LOG.warn("Deploy-OS session refused: malformed MAC");
            }
            return Optional.empty();
        }
        return Optional.of(canonical);
    }

    /** The session row of the machine owning a NIC. */
    private record Row(long machineId, long executionId, String nonce, Instant expires, boolean used) {
    }

    private static Optional<Row> row(Connection c, String canonicalMac) throws SQLException {
        // Read and closed before any update: an open cursor keeps its row's read lock on Derby, and concurrent
        // redeems would each hold one while waiting for the others' to write.
        try (PreparedStatement ps = c.prepareStatement("SELECT s.machine_id, s.execution_id, s.nonce,"
                + " s.expires_at, s.used_at FROM deployos_session s JOIN machine_nic n ON n.machine_id ="
                + " s.machine_id WHERE n.mac = ?")) {
            ps.setString(1, canonicalMac);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Row(rs.getLong(1), rs.getLong(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant(), rs.getTimestamp(5) != null));
            }
        }
    }

    private static boolean markUsed(Connection c, long machineId, long executionId, String nonce, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE deployos_session SET used_at = ? WHERE machine_id = ?"
                + " AND nonce = ? AND used_at IS NULL AND expires_at > ?")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setLong(2, machineId);
            ps.setString(3, nonce);
            ps.setTimestamp(4, Timestamp.from(now));
            if (ps.executeUpdate() == 1) {
                LOG.info("Deploy-OS session of machine {} for execution {} redeemed", machineId, executionId);
                return true;
            }
        }
        LOG.warn("Deploy-OS session of machine {} for execution {} refused: used or replaced meanwhile", machineId,
                executionId);
        return false;
    }

    @Override
    public void revoke(long machineId) {
        boolean removed = database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM deployos_session WHERE machine_id = ?")) {
                ps.setLong(1, machineId);
                return ps.executeUpdate() > 0;
            }
        });
        if (removed) {
            LOG.info("Deploy-OS session of machine {} revoked", machineId);
        }
    }

    /**
     * Records this server's key check in the database on first use, or compares it with the one there: servers that
     * share the database must share the key, or each would issue tokens the others refuse.
     */
    private void confirmKey(Connection c) throws SQLException {
        if (keyConfirmed) {
            return;
        }
        String mine = key.check();
        Optional<String> stored = storedCheck(c);
        if (stored.isEmpty()) {
            Savepoint beforeInsert = c.setSavepoint();
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO deployos_session_key (id, key_check, created_at) VALUES (1, ?, ?)")) {
                ps.setString(1, mine);
                ps.setTimestamp(2, Timestamp.from(now()));
                ps.executeUpdate();
                stored = Optional.of(mine);
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) {
                    throw e;
                }
                c.rollback(beforeInsert); // another server recorded its key first
                stored = storedCheck(c);
            }
        }
        if (!stored.map(s -> SessionKey.sameToken(s, mine)).orElse(false)) {
            String message = "Deploy-OS sessions unavailable: the key in " + key.file() + " differs from the key of"
                    + " the servers already using this database; copy their file here and restart";
            LOG.error(message);
            throw new StoreUnavailableException(message);
        }
        keyConfirmed = true;
    }

    private static Optional<String> storedCheck(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT key_check FROM deployos_session_key WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
