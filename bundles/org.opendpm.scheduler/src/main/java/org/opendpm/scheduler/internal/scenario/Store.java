package org.opendpm.scheduler.internal.scenario;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.scenario.Assignment;

/** The SQL of the scenario tables; every method runs inside the caller's transaction. */
public final class Store {

    private Store() {
    }

    /**
     * Takes the scenario write lock: the row lock on {@code scenario_state}, held until the transaction ends. Every
     * scenario change calls this first, so changes run one after another and their checks (limits, names, one
     * assignment per machine) see every earlier change, on Derby and PostgreSQL alike.
     */
    public static void lock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE scenario_state SET next_id = next_id WHERE id = 1")) {
            if (ps.executeUpdate() != 1) {
                throw new SQLException("scenario_state has no row; the schema is not migrated", "55000");
            }
        }
    }

    /** Reserves the next id; needs {@link #lock}. */
    static long nextId(Connection c) throws SQLException {
        long id;
        try (PreparedStatement ps = c.prepareStatement("SELECT next_id FROM scenario_state WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            id = rs.getLong(1);
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE scenario_state SET next_id = ? WHERE id = 1")) {
            ps.setLong(1, id + 1);
            ps.executeUpdate();
        }
        return id;
    }

    static long count(Connection c, String sql, long arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    // ------------------------------------------------------------------ groups

    /** One stored group; {@code parentId} is {@code null} for a top-level group. */
    record GroupRow(long id, Long parentId, String name, GroupPath path, boolean builtIn) {
    }

    /** All groups (at most 1000), indexed by id and path. */
    static final class Groups {
        final Map<Long, GroupRow> byId = new LinkedHashMap<>();
        final Map<String, GroupRow> byPath = new HashMap<>();
        final Map<Long, List<GroupRow>> children = new HashMap<>();

        GroupRow get(long id) {
            GroupRow row = byId.get(id);
            if (row == null) {
                throw new NotFoundException("No scenario group with id " + id);
            }
            return row;
        }

        /** The group and everything below it, the group first. */
        List<GroupRow> subtree(GroupRow top) {
            List<GroupRow> result = new ArrayList<>();
            List<GroupRow> todo = new ArrayList<>(List.of(top));
            while (!todo.isEmpty()) {
                GroupRow r = todo.remove(todo.size() - 1);
                result.add(r);
                todo.addAll(children.getOrDefault(r.id(), List.of()));
            }
            return result;
        }
    }

    static Groups groups(Connection c) throws SQLException {
        Groups g = new Groups();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, parent_id, name, path, built_in FROM scenario_group"
                + " ORDER BY path"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long parent = rs.getLong(2);
                GroupRow row = new GroupRow(rs.getLong(1), rs.wasNull() ? null : parent, rs.getString(3),
                        GroupPath.parse(rs.getString(4)), rs.getBoolean(5));
                g.byId.put(row.id(), row);
                g.byPath.put(row.path().toString(), row);
                g.children.computeIfAbsent(row.parentId() == null ? 0L : row.parentId(), k -> new ArrayList<>())
                        .add(row);
            }
        }
        return g;
    }

    static void insertGroup(Connection c, GroupRow r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO scenario_group (id, parent_id, name, path, depth,"
                + " built_in) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, r.id());
            if (r.parentId() == null) {
                ps.setNull(2, Types.BIGINT);
            } else {
                ps.setLong(2, r.parentId());
            }
            ps.setString(3, r.name());
            ps.setString(4, r.path().toString());
            ps.setInt(5, r.path().depth());
            ps.setBoolean(6, r.builtIn());
            ps.executeUpdate();
        }
    }

    static void renameGroups(Connection c, List<GroupRow> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE scenario_group SET name = ?, path = ? WHERE id = ?")) {
            for (GroupRow r : rows) {
                ps.setString(1, r.name());
                ps.setString(2, r.path().toString());
                ps.setLong(3, r.id());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Scenarios directly in each group that has any. */
    static Map<Long, Long> scenarioCounts(Connection c) throws SQLException {
        Map<Long, Long> counts = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT group_id, COUNT(*) FROM scenario GROUP BY group_id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return counts;
    }

    // ------------------------------------------------------------------ scenarios

    /** One stored scenario without its tabs. */
    public record ScenarioRow(long id, String name, long groupId, String groupPath, boolean forcedReboot,
            boolean powerOff,
            boolean builtIn, Optional<String> description, long assigned) {
    }

    private static final String SCENARIO = "SELECT s.id, s.name, s.group_id, g.path, s.forced_reboot, s.power_off,"
            + " s.built_in, s.description, (SELECT COUNT(*) FROM scenario_assignment a WHERE a.scenario_id = s.id)"
            + " FROM scenario s JOIN scenario_group g ON g.id = s.group_id";

    /** Scenarios matching {@code where} (with at most one parameter), ordered by name. */
    static List<ScenarioRow> scenarios(Connection c, String where, Object arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SCENARIO + (where == null ? "" : " WHERE " + where)
                + " ORDER BY s.name_key")) {
            if (arg != null) {
                ps.setObject(1, arg);
            }
            List<ScenarioRow> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(new ScenarioRow(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                            rs.getBoolean(5), rs.getBoolean(6), rs.getBoolean(7), Optional.ofNullable(rs.getString(8)),
                            rs.getLong(9)));
                }
            }
            return result;
        }
    }

    public static Optional<ScenarioRow> scenario(Connection c, long id) throws SQLException {
        return scenarios(c, "s.id = ?", id).stream().findFirst();
    }

    static Optional<ScenarioRow> scenarioByName(Connection c, String name) throws SQLException {
        return scenarios(c, "s.name_key = ?", Names.key(name)).stream().findFirst();
    }

    /** Stored tabs of the scenarios matching {@code where} on {@code t.scenario_id}, by scenario, sorted by type. */
    static Map<Long, List<Tabs.Stored>> tabs(Connection c, String where, Object arg) throws SQLException {
        Map<Long, List<Tabs.Stored>> result = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT t.scenario_id, t.type_key, t.settings_version,"
                + " t.settings FROM scenario_tab t" + (where == null ? "" : " WHERE " + where)
                + " ORDER BY t.scenario_id, t.type_key")) {
            if (arg != null) {
                ps.setObject(1, arg);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                            .add(new Tabs.Stored(rs.getString(2), rs.getInt(3), rs.getString(4)));
                }
            }
        }
        return result;
    }

    static void writeScenario(Connection c, boolean insert, long id, String name, long groupId, boolean forcedReboot,
            boolean powerOff, List<Tabs.Stored> tabs) throws SQLException {
        String sql = insert
                ? "INSERT INTO scenario (name, name_key, group_id, forced_reboot, power_off, updated_at, id, built_in)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, FALSE)"
                : "UPDATE scenario SET name = ?, name_key = ?, group_id = ?, forced_reboot = ?, power_off = ?,"
                        + " updated_at = ? WHERE id = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            ps.setString(2, Names.key(name));
            ps.setLong(3, groupId);
            ps.setBoolean(4, forcedReboot);
            ps.setBoolean(5, powerOff);
            ps.setTimestamp(6, Timestamp.from(Instant.now()));
            ps.setLong(7, id);
            ps.executeUpdate();
        }
        if (!insert) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM scenario_tab WHERE scenario_id = ?")) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO scenario_tab (scenario_id, type_key,"
                + " settings_version, settings) VALUES (?, ?, ?, ?)")) {
            for (Tabs.Stored t : tabs) {
                ps.setLong(1, id);
                ps.setString(2, t.type());
                ps.setInt(3, t.settingsVersion());
                ps.setString(4, t.json());
                ps.executeUpdate();
            }
        }
    }

    // ------------------------------------------------------------------ assignments

    private static final String ASSIGNMENT = "SELECT a.machine_id, m.name, a.scenario_id, s.name, a.assigned_at"
            + " FROM scenario_assignment a JOIN machine m ON m.id = a.machine_id JOIN scenario s ON s.id ="
            + " a.scenario_id WHERE ";

    static List<Assignment> assignments(Connection c, String where, long arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ASSIGNMENT + where + " ORDER BY m.name_key")) {
            ps.setLong(1, arg);
            List<Assignment> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(new Assignment(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                            rs.getTimestamp(5).toInstant()));
                }
            }
            return result;
        }
    }

    /** The assignments of the machines that have one, by machine id, read 500 ids at a time. */
    static Map<Long, Assignment> assignmentsOf(Connection c, List<Long> machineIds) throws SQLException {
        Map<Long, Assignment> result = new HashMap<>();
        for (int from = 0; from < machineIds.size(); from += 500) {
            List<Long> chunk = machineIds.subList(from, Math.min(machineIds.size(), from + 500));
            try (PreparedStatement ps = c.prepareStatement(ASSIGNMENT + "a.machine_id IN ("
                    + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setLong(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.put(rs.getLong(1), new Assignment(rs.getLong(1), rs.getString(2), rs.getLong(3),
                                rs.getString(4), rs.getTimestamp(5).toInstant()));
                    }
                }
            }
        }
        return result;
    }

    static int deleteAssignment(Connection c, long machineId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM scenario_assignment WHERE machine_id = ?")) {
            ps.setLong(1, machineId);
            return ps.executeUpdate();
        }
    }

    /** Replaces the assignments of the machines with the scenario, in batches: a group of 40,000 is one request. */
    public static void replaceAssignments(Connection c, List<Long> machineIds, long scenarioId, Timestamp at)
            throws SQLException {
        try (PreparedStatement del = c.prepareStatement("DELETE FROM scenario_assignment WHERE machine_id = ?");
                PreparedStatement ins = c.prepareStatement("INSERT INTO scenario_assignment (machine_id, scenario_id,"
                        + " assigned_at) VALUES (?, ?, ?)")) {
            for (int from = 0; from < machineIds.size(); from += 1000) {
                List<Long> chunk = machineIds.subList(from, Math.min(machineIds.size(), from + 1000));
                for (long id : chunk) {
                    del.setLong(1, id);
                    del.addBatch();
                    ins.setLong(1, id);
                    ins.setLong(2, scenarioId);
                    ins.setTimestamp(3, at);
                    ins.addBatch();
                }
                del.executeBatch();
                ins.executeBatch();
            }
        }
    }

    /** Those of the ids that are no machine. */
    static List<Long> missingMachines(Connection c, List<Long> ids) throws SQLException {
        java.util.Set<Long> found = new java.util.HashSet<>();
        for (int from = 0; from < ids.size(); from += 500) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM machine WHERE id IN ("
                    + String.join(", ", java.util.Collections.nCopies(chunk.size(), "?")) + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setLong(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(rs.getLong(1));
                    }
                }
            }
        }
        return ids.stream().filter(id -> !found.contains(id)).toList();
    }
}
