package org.opendpm.inventory.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.opendpm.api.inventory.NewMachine;
import org.opendpm.api.inventory.SeenBy;

/** The {@code new_machine} table: machines seen by network boot or the agent and not registered yet (INV-4). */
final class NewMachines {

    private static final String SELECT = "SELECT id, mac, uuid, ip, name, seen_by, first_seen, last_seen"
            + " FROM new_machine";

    private NewMachines() {
    }

    static List<NewMachine> all(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " ORDER BY last_seen DESC, id DESC")) {
            return read(ps);
        }
    }

    static Optional<NewMachine> byMac(Connection c, String mac) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE mac = ?")) {
            ps.setString(1, mac);
            List<NewMachine> found = read(ps);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    static Optional<NewMachine> byId(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE id = ?")) {
            ps.setLong(1, id);
            List<NewMachine> found = read(ps);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    private static List<NewMachine> read(PreparedStatement ps) throws SQLException {
        List<NewMachine> result = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                result.add(new NewMachine(rs.getLong(1), rs.getString(2), Sql.optional(rs, 3), Sql.optional(rs, 4),
                        Sql.optional(rs, 5), SeenBy.valueOf(rs.getString(6)), rs.getTimestamp(7).toInstant(),
                        rs.getTimestamp(8).toInstant()));
            }
        }
        return result;
    }

    static void insert(Connection c, long id, String mac, Optional<String> uuid, Optional<String> ip,
            Optional<String> name, SeenBy seenBy) throws SQLException {
        Timestamp now = Sql.now();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO new_machine (id, mac, uuid, ip, name, seen_by,"
                + " first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, id);
            ps.setString(2, mac);
            Sql.setOptional(ps, 3, uuid);
            Sql.setOptional(ps, 4, ip);
            Sql.setOptional(ps, 5, name);
            ps.setString(6, seenBy.name());
            ps.setTimestamp(7, now);
            ps.setTimestamp(8, now);
            ps.executeUpdate();
        }
    }

    /** The newer sighting wins for what it reports; what it does not report (a PXE boot has no IP) is kept. */
    static void update(Connection c, long id, Optional<String> uuid, Optional<String> ip, Optional<String> name,
            SeenBy seenBy) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE new_machine SET uuid = COALESCE(?, uuid),"
                + " ip = COALESCE(?, ip), name = COALESCE(?, name), seen_by = ?, last_seen = ? WHERE id = ?")) {
            Sql.setOptional(ps, 1, uuid);
            Sql.setOptional(ps, 2, ip);
            Sql.setOptional(ps, 3, name);
            ps.setString(4, seenBy.name());
            ps.setTimestamp(5, Sql.now());
            ps.setLong(6, id);
            ps.executeUpdate();
        }
    }

    static int delete(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM new_machine WHERE id = ?")) {
            ps.setLong(1, id);
            return ps.executeUpdate();
        }
    }

    /** Removes the entries of MACs that have just been registered; only listed MACs cost a statement. */
    static void deleteMacs(Connection c, Collection<String> macs) throws SQLException {
        Set<String> listed = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT mac FROM new_machine");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                listed.add(rs.getString(1));
            }
        }
        listed.retainAll(macs instanceof Set<?> ? macs : new HashSet<>(macs));
        if (listed.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM new_machine WHERE mac = ?")) {
            for (String mac : listed) {
                ps.setString(1, mac);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
