package org.opendpm.scheduler.internal.power;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.opendpm.api.StoreUnavailableException;
import org.opendpm.store.Database;
import org.opendpm.store.secret.SealedValueException;
import org.opendpm.store.secret.SecretBox;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Machines' power settings in {@code machine_power} and {@code machine_power_info}: the explicit driver and the driver
 * info, secrets sealed with AES-256-GCM ({@link SecretBox}) under the key file {@code ${karaf.data}/power/
 * driver-info.key}, each bound to its machine and property. Checks nothing but what the tables need; the
 * {@link MachinePowerSettingsService} validates. Servers sharing one database must share the key file:
 * {@code machine_power_key} holds a value sealed under the first server's key, and a server whose key does not open it
 * refuses to store secrets.
 */
@Component(service = PowerSettingsStore.class)
public class PowerSettingsStore {

    private static final Logger LOG = LoggerFactory.getLogger(PowerSettingsStore.class);
    private static final String KEY_WHAT = "power driver info key";
    private static final String CHECK_TEXT = "opendpm power driver-info key check v1";
    private static final String CHECK_CONTEXT = "opendpm machine_power_key 1";

    /**
     * What is stored for a machine, secrets still sealed.
     *
     * @param plain the driver info that is not secret
     * @param sealed the secrets by name, sealed
     */
    record Stored(Optional<String> driver, Map<String, String> plain, Map<String, String> sealed, String setBy,
            Instant setAt) {
    }

    /** What a driver is called with: the stored driver and the whole driver info, secrets opened. */
    record Settings(Optional<String> driver, Map<String, String> driverInfo) {

        static final Settings NONE = new Settings(Optional.empty(), Map.of());

        @Override
        public String toString() {
            // driverInfo holds secrets
            return "Settings[" + driver.orElse("(automatic)") + ", " + driverInfo.keySet() + "]";
        }
    }

    private final Database database;
    private final Path keyFile;
    private SecretBox box;

    @Activate
    public PowerSettingsStore(@Reference Database database) {
        this(database, Path.of(System.getProperty("karaf.data", "data"), "power", "driver-info.key"));
    }

    public PowerSettingsStore(Database database, Path keyFile) {
        this.database = database;
        this.keyFile = keyFile;
    }

    /**
     * The key, read (or created) on first need and not at activation: a broken key file must not stop power control
     * of the machines that have no secrets. A failure is tried again on the next need, so fixing the file is enough.
     */
    private synchronized SecretBox box() {
        if (box == null) {
            try {
                box = SecretBox.loadOrCreate(keyFile, KEY_WHAT);
            } catch (IOException e) {
                String message = "Power driver secrets are unavailable: " + e.getMessage();
                LOG.error(message);
                throw new StoreUnavailableException(message, e);
            }
        }
        return box;
    }

    Path keyFile() {
        return keyFile;
    }

    /** The machine's stored settings, secrets sealed; empty when none are stored. */
    Optional<Stored> read(long machineId) {
        return database.inTransaction(c -> read(c, machineId));
    }

    private static Optional<Stored> read(Connection c, long machineId) throws SQLException {
        Optional<String> driver;
        String setBy;
        Instant setAt;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT driver, set_by, set_at FROM machine_power WHERE machine_id = ?")) {
            ps.setLong(1, machineId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                driver = Optional.ofNullable(rs.getString(1));
                setBy = rs.getString(2);
                setAt = rs.getTimestamp(3).toInstant();
            }
        }
        Map<String, String> plain = new LinkedHashMap<>();
        Map<String, String> sealed = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name, secret, info_value FROM machine_power_info "
                + "WHERE machine_id = ? ORDER BY name")) {
            ps.setLong(1, machineId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    (rs.getBoolean(2) ? sealed : plain).put(rs.getString(1), rs.getString(3));
                }
            }
        }
        return Optional.of(new Stored(driver, plain, sealed, setBy, setAt));
    }

    /** The settings a driver is called with, secrets opened; {@link Settings#NONE} when none are stored. */
    Settings settings(long machineId, String machineName) {
        return read(machineId).map(s -> new Settings(s.driver(), open(machineId, machineName, s)))
                .orElse(Settings.NONE);
    }

    /**
     * The whole driver info, secrets opened.
     *
     * @throws StoreUnavailableException naming the key file when a secret was sealed under another key
     */
    Map<String, String> open(long machineId, String machineName, Stored stored) {
        Map<String, String> info = new LinkedHashMap<>(stored.plain());
        if (stored.sealed().isEmpty()) {
            return info;
        }
        SecretBox key = box();
        stored.sealed().forEach((name, sealed) -> {
            try {
                info.put(name, key.open(sealed, context(machineId, name)));
            } catch (SealedValueException e) {
                String message = "The power driver secret '" + name + "' of machine " + machineName + " cannot be "
                        + "read: " + e.getMessage() + ". Servers sharing one database must share " + keyFile
                        + "; copy it from the server that stored the secret, or set the secret again";
                LOG.error(message);
                throw new StoreUnavailableException(message);
            }
        });
        return info;
    }

    /**
     * Replaces the machine's settings in one transaction; with no driver and no info, nothing is stored any more.
     *
     * @param secrets secrets in plain text, sealed here
     */
    void replace(long machineId, Optional<String> driver, Map<String, String> plain, Map<String, String> secrets,
            String setBy, Instant now) {
        Map<String, String> sealed = new LinkedHashMap<>();
        if (!secrets.isEmpty()) {
            SecretBox key = box();
            secrets.forEach((name, value) -> sealed.put(name, key.seal(value, context(machineId, name))));
        }
        database.inTransaction(c -> {
            if (!sealed.isEmpty()) {
                confirmKey(c);
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM machine_power WHERE machine_id = ?")) {
                ps.setLong(1, machineId);
                ps.executeUpdate();
            }
            if (driver.isEmpty() && plain.isEmpty() && sealed.isEmpty()) {
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO machine_power (machine_id, driver, set_by, set_at) VALUES (?, ?, ?, ?)")) {
                ps.setLong(1, machineId);
                ps.setString(2, driver.orElse(null));
                ps.setString(3, setBy);
                ps.setTimestamp(4, Timestamp.from(now));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO machine_power_info (machine_id, name, secret,"
                    + " info_value) VALUES (?, ?, ?, ?)")) {
                for (var e : plain.entrySet()) {
                    add(ps, machineId, e.getKey(), false, e.getValue());
                }
                for (var e : sealed.entrySet()) {
                    add(ps, machineId, e.getKey(), true, e.getValue());
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    private static void add(PreparedStatement ps, long machineId, String name, boolean secret, String value)
            throws SQLException {
        ps.setLong(1, machineId);
        ps.setString(2, name);
        ps.setBoolean(3, secret);
        ps.setString(4, value);
        ps.addBatch();
    }

    /** Binds a sealed value to its machine and property: copied into another row, it does not open. */
    private static String context(long machineId, String name) {
        return "opendpm machine_power_info v1\n" + machineId + "\n" + name;
    }

    /**
     * Records a value sealed under this server's key on first use, or opens the one there: a server with another key
     * file would store secrets the other servers of the database cannot read.
     */
    private void confirmKey(Connection c) throws SQLException {
        SecretBox key = box();
        Optional<String> stored = storedCheck(c);
        if (stored.isEmpty()) {
            Savepoint beforeInsert = c.setSavepoint();
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO machine_power_key (id, key_check, created_at) VALUES (1, ?, ?)")) {
                ps.setString(1, key.seal(CHECK_TEXT, CHECK_CONTEXT));
                ps.setTimestamp(2, Timestamp.from(Instant.now()));
                ps.executeUpdate();
                return;
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) {
                    throw e;
                }
                c.rollback(beforeInsert); // another server recorded its key first
                stored = storedCheck(c);
            }
        }
        try {
            if (CHECK_TEXT.equals(key.open(stored.orElseThrow(), CHECK_CONTEXT))) {
                return;
            }
        } catch (SealedValueException e) {
            // told below
        }
        String message = "Power driver secrets cannot be stored: the key in " + keyFile + " differs from the key of"
                + " the servers already using this database; copy their file here";
        LOG.error(message);
        throw new StoreUnavailableException(message);
    }

    private static Optional<String> storedCheck(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT key_check FROM machine_power_key WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }
}
