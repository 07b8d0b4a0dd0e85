package org.opendpm.netboot.internal.intent;

import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.opendpm.store.Database;

/**
 * A fresh, migrated in-memory Derby database (every changeSet, so the inventory's machine table too) with machines
 * inserted directly (with their primary NIC), and an intent service over it whose clock the test moves.
 */
public final class IntentFixture {

    public final Database database;
    public final JdbcBootIntentService service;
    /** The test's clock: it stands still until {@link #advance} moves it. */
    public final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private Instant now = Instant.parse("2026-03-01T10:00:00.123456Z");

    public IntentFixture() {
        var ds = new EmbeddedDataSource();
        ds.setDatabaseName("memory:boot-intent-test-" + UUID.randomUUID());
        ds.setCreateDatabase("create");
        database = Database.over(ds);
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO machine_group (id, parent_id, name, path,"
                    + " depth, same_subnet) VALUES (1, NULL, 'Group1', '/Group1', 1, TRUE)")) {
                ps.executeUpdate();
            }
            return null;
        });
        service = new JdbcBootIntentService(database, clock);
    }

    public void advance(long seconds) {
        now = now.plusSeconds(seconds);
    }

    /** Inserts a managed machine into group 1, with {@code mac} as its one (primary) NIC. */
    public void machine(long id, String name, String mac) {
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO machine (id, group_id, name, name_key,"
                    + " primary_mac, power_state, status, updated_at) VALUES (?, 1, ?, ?, ?, 'UNKNOWN', 'NONE', ?)")) {
                ps.setLong(1, id);
                ps.setString(2, name);
                ps.setString(3, name.toLowerCase());
                ps.setString(4, mac);
                ps.setTimestamp(5, Timestamp.from(now));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO machine_nic (mac, machine_id, nic_order) VALUES (?, ?, 0)")) {
                ps.setString(1, mac);
                ps.setLong(2, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public void deleteMachine(long id) {
        database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM machine WHERE id = ?")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public long rows() {
        return database.inTransaction(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM boot_intent")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
