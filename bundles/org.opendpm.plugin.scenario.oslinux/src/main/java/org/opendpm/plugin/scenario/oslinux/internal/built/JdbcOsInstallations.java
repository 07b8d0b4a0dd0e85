package org.opendpm.plugin.scenario.oslinux.internal.built;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The installer's "built" call (OSI-2), as Foreman and Cobbler have it: an installation step issues a token, the
 * answer file's last command calls {@value #BUILT_PATH}{@code <token>}, and the step completes. The database is the
 * state ({@code os_installation}: the token's SHA-256 and when it was called); the waiting steps of this server are
 * held in memory only because a waiting step is a thing of this process (after a restart the step is carried out
 * again and finds {@code built_at} set). Tokens are never logged.
 */
@Component(service = JdbcOsInstallations.class)
public class JdbcOsInstallations {

    /** Path of the built call below the server's HTTP root, before the token. */
    public static final String BUILT_PATH = "/opendpm/os/built/";
    private static final Logger LOG = LoggerFactory.getLogger(JdbcOsInstallations.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final Database database;
    private final Clock clock;
    private final Map<Long, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();

    @Activate
    public JdbcOsInstallations(@Reference Database database) {
        this(database, Clock.systemUTC());
    }

    public JdbcOsInstallations(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /**
     * Issues the built token of an execution on a machine, replacing an earlier one of that execution (a step
     * carried out again after a restart issues a new one, and its new answer file carries it); returns the path to
     * call. An execution already built keeps that.
     */
    public String issue(long executionId, long machineId) {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE os_installation SET token_hash = ?,"
                    + " machine_id = ?, issued_at = ? WHERE execution_id = ?")) {
                ps.setString(1, hash(token));
                ps.setLong(2, machineId);
                ps.setTimestamp(3, Timestamp.from(now));
                ps.setLong(4, executionId);
                if (ps.executeUpdate() > 0) {
                    return null;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO os_installation (execution_id, machine_id,"
                    + " token_hash, issued_at) VALUES (?, ?, ?, ?)")) {
                ps.setLong(1, executionId);
                ps.setLong(2, machineId);
                ps.setString(3, hash(token));
                ps.setTimestamp(4, Timestamp.from(now));
                ps.executeUpdate();
            }
            return null;
        });
        return BUILT_PATH + token;
    }

    /** Completes when the execution's installer has called built; at once when it did before. */
    public CompletionStage<Void> awaitBuilt(long executionId) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> f = waiting.merge(executionId, mine, (old, neu) -> old.isDone() ? neu : old);
        if (builtAt(executionId).isPresent()) {
            f.complete(null);
        }
        // A stage cancelled by its step (stop, time-out) is dropped.
        f.whenComplete((v, e) -> waiting.remove(executionId, f));
        return f;
    }

    /**
     * The installer's call: true when the token was issued and not yet used (it is used now and the waiting step
     * completes), false for anything else.
     */
    public boolean built(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            LOG.info("OS installation: a built call with a malformed token");
            return false;
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Optional<long[]> found = database.inTransaction(c -> {
            long[] row;
            try (PreparedStatement ps = c.prepareStatement("SELECT execution_id, machine_id FROM os_installation"
                    + " WHERE token_hash = ? AND built_at IS NULL")) {
                ps.setString(1, hash(token));
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<long[]>empty();
                    }
                    row = new long[]{ rs.getLong(1), rs.getLong(2) };
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE os_installation SET built_at = ?"
                    + " WHERE token_hash = ? AND built_at IS NULL")) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setString(2, hash(token));
                // Of two concurrent calls exactly one updates the row.
                return ps.executeUpdate() == 1 ? Optional.of(row) : Optional.<long[]>empty();
            }
        });
        if (found.isEmpty()) {
            LOG.info("OS installation: a built call with an unknown or used token refused");
            return false;
        }
        long executionId = found.get()[0];
        LOG.info("OS installation: the installer of execution {} on machine {} called built", executionId,
                found.get()[1]);
        CompletableFuture<Void> f = waiting.get(executionId);
        if (f != null) {
            f.complete(null);
        }
        return true;
    }

    /** Forgets an execution's installation (it ended); returns whether there was one. */
    public boolean withdraw(long executionId) {
        CompletableFuture<Void> f = waiting.remove(executionId);
        if (f != null) {
            f.cancel(false);
        }
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM os_installation WHERE execution_id = ?")) {
                ps.setLong(1, executionId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    /** When the execution's installer called built, empty while it has not. */
    public Optional<Instant> builtAt(long executionId) {
        return database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT built_at FROM os_installation"
                    + " WHERE execution_id = ?")) {
                ps.setLong(1, executionId);
                try (ResultSet rs = ps.executeQuery()) {
                    Timestamp t = rs.next() ? rs.getTimestamp(1) : null;
                    return Optional.ofNullable(t).map(Timestamp::toInstant);
                }
            }
        });
    }

    static String hash(String token) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
