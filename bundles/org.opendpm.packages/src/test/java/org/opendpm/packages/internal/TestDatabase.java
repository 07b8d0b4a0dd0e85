package org.opendpm.packages.internal;

import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.opendpm.store.Database;

/** A fresh in-memory Derby database with OpenDPM's whole schema, and rows other areas own. */
public final class TestDatabase {

    private TestDatabase() {
    }

    public static Database create() {
        var ds = new EmbeddedDataSource();
        ds.setDatabaseName("memory:packages-test-" + UUID.randomUUID());
        ds.setCreateDatabase("create");
        return Database.over(ds);
    }

    /** A machine in a group of its own and a scenario in the root of the scenario tree. */
    public static void machineAndScenario(Database db, long machineId, String machine, long scenarioId,
            String scenario) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO machine_group (id, parent_id, name, path,"
                    + " depth, same_subnet) VALUES (?, NULL, ?, ?, 1, TRUE)")) {
                ps.setLong(1, 1000 + machineId);
                ps.setString(2, "G" + machineId);
                ps.setString(3, "/G" + machineId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO machine (id, group_id, name, name_key,"
                    + " primary_mac, power_state, status, updated_at) VALUES (?, ?, ?, ?, ?, 'UNKNOWN', 'NONE', ?)")) {
                ps.setLong(1, machineId);
                ps.setLong(2, 1000 + machineId);
                ps.setString(3, machine);
                ps.setString(4, machine.toLowerCase());
                ps.setString(5, String.format("52:54:00:00:00:%02x", machineId));
                ps.setTimestamp(6, Timestamp.from(Instant.now()));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO scenario_group (id, parent_id, name, path,"
                    + " depth, built_in) VALUES (?, NULL, ?, ?, 1, FALSE)")) {
                ps.setLong(1, 1000 + scenarioId);
                ps.setString(2, "S" + scenarioId);
                ps.setString(3, "/S" + scenarioId);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO scenario (id, group_id, name, name_key,"
                    + " forced_reboot, power_off, built_in, updated_at) VALUES (?, ?, ?, ?, FALSE, FALSE, FALSE, ?)")) {
                ps.setLong(1, scenarioId);
                ps.setLong(2, 1000 + scenarioId);
                ps.setString(3, scenario);
                ps.setString(4, scenario.toLowerCase());
                ps.setTimestamp(5, Timestamp.from(Instant.now()));
                ps.executeUpdate();
            }
            return null;
        });
    }
}
