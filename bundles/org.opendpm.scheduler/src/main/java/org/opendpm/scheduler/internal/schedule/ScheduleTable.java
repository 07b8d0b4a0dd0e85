package org.opendpm.scheduler.internal.schedule;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;

import org.opendpm.api.schedule.ScheduleKind;

/**
 * The SQL of {@code schedule} and {@code schedule_machine}; every method runs inside the caller's transaction. Times
 * are written and read as UTC whatever the JVM's zone, so a stored instant never shifts across a daylight-saving
 * change.
 */
final class ScheduleTable {

    /** Rows per {@code IN (...)} list and per insert batch. */
    static final int CHUNK = 500;

    private static final String SELECT = "SELECT s.id, s.name, s.kind, s.scenario_id, sc.name, s.group_id, g.path,"
            + " s.include_subgroups, s.run_at, s.cron, s.time_zone, s.enabled, s.created_by, s.created_at,"
            + " s.last_fired_at, s.last_outcome, s.next_fire_at, s.claimed_fire_at FROM schedule s"
            + " LEFT JOIN scenario sc ON sc.id = s.scenario_id LEFT JOIN machine_group g ON g.id = s.group_id";

    private ScheduleTable() {
    }

    /** One stored schedule without its machines; nullable columns are {@code null}. */
    record Row(long id, String name, ScheduleKind kind, Long scenarioId, String scenarioName, Long groupId,
            String groupPath, boolean includeSubgroups, Instant runAt, String cron, String timeZone, boolean enabled,
            String createdBy, Instant createdAt, Instant lastFiredAt, String lastOutcome, Instant nextFireAt,
            Instant claimedFireAt) {

        boolean oneOff() {
            return runAt != null;
        }
    }

    /** What a create or update writes. */
    record Values(String name, ScheduleKind kind, Long scenarioId, Long groupId, boolean includeSubgroups,
            Instant runAt, String cron, String timeZone, boolean enabled, Instant nextFireAt) {
    }

    /** A machine a schedule names, with its name for messages. */
    record Target(long id, String name) {
    }

    static String nameKey(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    // ------------------------------------------------------------------ reads

    static List<Row> all(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " ORDER BY s.name_key")) {
            return rows(ps);
        }
    }

    static Optional<Row> byId(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE s.id = ?")) {
            ps.setLong(1, id);
            return rows(ps).stream().findFirst();
        }
    }

    static Optional<Row> byName(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE s.name_key = ?")) {
            ps.setString(1, nameKey(name.strip()));
            return rows(ps).stream().findFirst();
        }
    }

    static List<String> names(Connection c, String prefix, int limit) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM schedule WHERE name_key LIKE ? ESCAPE '\\'"
                + " ORDER BY name_key FETCH FIRST ? ROWS ONLY")) {
            ps.setString(1, likeLiteral(nameKey(prefix)) + "%");
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    /** The explicit machines of every schedule (or of one), by schedule id, machine ids ascending. */
    static Map<Long, List<Long>> machineIds(Connection c, Long scheduleId) throws SQLException {
        Map<Long, List<Long>> result = new HashMap<>();
        String sql = "SELECT schedule_id, machine_id FROM schedule_machine"
                + (scheduleId == null ? "" : " WHERE schedule_id = ?") + " ORDER BY schedule_id, machine_id";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (scheduleId != null) {
                ps.setLong(1, scheduleId);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getLong(2));
                }
            }
        }
        return result;
    }

    /** The explicit machines of one schedule with their names, ordered by name. */
    static List<Target> targets(Connection c, long scheduleId) throws SQLException {
        List<Target> result = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT m.id, m.name FROM schedule_machine sm JOIN machine m"
                + " ON m.id = sm.machine_id WHERE sm.schedule_id = ? ORDER BY m.name_key")) {
            ps.setLong(1, scheduleId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(new Target(rs.getLong(1), rs.getString(2)));
                }
            }
        }
        return result;
    }

    /**
     * The machines of a group, and of its sub-groups at any depth when asked (the inventory's own rule: a sub-group's
     * path starts with the group's path and a slash), ordered by name; empty when the group is gone. One query: the
     * 40,000 machines of the inventory limit are read in well under a second, where paging through
     * {@code InventoryService.machines} (pages of at most 1000, each sorted and counted again) takes tens of seconds.
     */
    static List<Target> groupMachines(Connection c, long groupId, boolean includeSubgroups) throws SQLException {
        Optional<String> path = groupPath(c, groupId);
        if (path.isEmpty()) {
            return List.of();
        }
        String sql = "SELECT m.id, m.name FROM machine m WHERE m.group_id " + (includeSubgroups
                ? "IN (SELECT id FROM machine_group WHERE id = ? OR path LIKE ? ESCAPE '\\')"
                : "= ?")
                + " ORDER BY m.name_key";
        List<Target> result = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, groupId);
            if (includeSubgroups) {
                ps.setString(2, likeLiteral(path.get() + "/") + "%");
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(new Target(rs.getLong(1), rs.getString(2)));
                }
            }
        }
        return result;
    }

    static String likeLiteral(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /** Of these machine ids, those not in the inventory, in the order given. */
    static List<Long> missingMachines(Connection c, List<Long> ids) throws SQLException {
        Set<Long> found = new HashSet<>();
        for (int from = 0; from < ids.size(); from += CHUNK) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + CHUNK));
            String marks = String.join(",", Collections.nCopies(chunk.size(), "?"));
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM machine WHERE id IN (" + marks + ")")) {
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

    static Optional<String> scenarioName(Connection c, long id) throws SQLException {
        return text(c, "SELECT name FROM scenario WHERE id = ?", id);
    }

    static Optional<String> groupPath(Connection c, long id) throws SQLException {
        return text(c, "SELECT path FROM machine_group WHERE id = ?", id);
    }

    private static Optional<String> text(Connection c, String sql, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    // ------------------------------------------------------------------ writes

    static long insert(Connection c, Values v, String createdBy, Instant now) throws SQLException {
        long id;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO schedule (name, name_key, kind, scenario_id,"
                + " group_id, include_subgroups, run_at, cron, time_zone, enabled, created_by, created_at,"
                + " next_fire_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            int i = bind(ps, v);
            ps.setString(i++, createdBy);
            setTime(ps, i++, now);
            setTime(ps, i, v.nextFireAt());
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
        }
        return id;
    }

    /** Replaces the plan; the history (last firing and outcome) stays, the claim is reset for the new timing. */
    static void update(Connection c, long id, Values v) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE schedule SET name = ?, name_key = ?, kind = ?,"
                + " scenario_id = ?, group_id = ?, include_subgroups = ?, run_at = ?, cron = ?, time_zone = ?,"
                + " enabled = ?, next_fire_at = ?, claimed_fire_at = NULL WHERE id = ?")) {
            int i = bind(ps, v);
            setTime(ps, i++, v.nextFireAt());
            ps.setLong(i, id);
            ps.executeUpdate();
        }
    }

    private static int bind(PreparedStatement ps, Values v) throws SQLException {
        int i = 1;
        ps.setString(i++, v.name());
        ps.setString(i++, nameKey(v.name()));
        ps.setString(i++, v.kind().name());
        setLong(ps, i++, v.scenarioId());
        setLong(ps, i++, v.groupId());
        ps.setBoolean(i++, v.includeSubgroups());
        setTime(ps, i++, v.runAt());
        ps.setString(i++, v.cron());
        ps.setString(i++, v.timeZone());
        ps.setBoolean(i++, v.enabled());
        return i;
    }

    static void replaceMachines(Connection c, long id, List<Long> machineIds) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM schedule_machine WHERE schedule_id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO schedule_machine (schedule_id, machine_id)"
                + " VALUES (?, ?)")) {
            int n = 0;
            for (long m : machineIds) {
                ps.setLong(1, id);
                ps.setLong(2, m);
                ps.addBatch();
                if (++n % CHUNK == 0) {
                    ps.executeBatch();
                }
            }
            if (n % CHUNK != 0) {
                ps.executeBatch();
            }
        }
    }

    static boolean delete(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM schedule WHERE id = ?")) {
            ps.setLong(1, id);
            return ps.executeUpdate() == 1;
        }
    }

    static void setEnabled(Connection c, long id, boolean enabled, Instant nextFireAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE schedule SET enabled = ?, next_fire_at = ?"
                + " WHERE id = ?")) {
            ps.setBoolean(1, enabled);
            setTime(ps, 2, nextFireAt);
            ps.setLong(3, id);
            ps.executeUpdate();
        }
    }

    static void setNextFireAt(Connection c, long id, Instant nextFireAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE schedule SET next_fire_at = ? WHERE id = ?")) {
            setTime(ps, 1, nextFireAt);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
    }

    /**
     * Takes the firing planned for {@code planned}: true once per planned time, however many timers fire it, and
     * never for a disabled schedule.
     */
    static boolean claim(Connection c, long id, Instant planned) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE schedule SET claimed_fire_at = ? WHERE id = ?"
                + " AND enabled = ? AND (claimed_fire_at IS NULL OR claimed_fire_at < ?)")) {
            setTime(ps, 1, planned);
            ps.setLong(2, id);
            ps.setBoolean(3, true);
            setTime(ps, 4, planned);
            return ps.executeUpdate() == 1;
        }
    }

    static void recordFiring(Connection c, long id, Instant firedAt, String outcome, Instant nextFireAt)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE schedule SET last_fired_at = ?, last_outcome = ?,"
                + " next_fire_at = ? WHERE id = ?")) {
            setTime(ps, 1, firedAt);
            ps.setString(2, Outcome.cut(outcome));
            setTime(ps, 3, nextFireAt);
            ps.setLong(4, id);
            ps.executeUpdate();
        }
    }

    /** Records a planned time that was not kept (claimed, so it never fires later); false if it was already taken. */
    static boolean recordMissed(Connection c, long id, Instant planned, String outcome, Instant nextFireAt)
            throws SQLException {
        if (!claim(c, id, planned)) {
            return false;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE schedule SET last_outcome = ?, next_fire_at = ?"
                + " WHERE id = ?")) {
            ps.setString(1, Outcome.cut(outcome));
            setTime(ps, 2, nextFireAt);
            ps.setLong(3, id);
            ps.executeUpdate();
        }
        return true;
    }

    // ------------------------------------------------------------------ helpers

    private static List<Row> rows(PreparedStatement ps) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(new Row(rs.getLong(1), rs.getString(2), ScheduleKind.valueOf(rs.getString(3)),
                        getLong(rs, 4), rs.getString(5), getLong(rs, 6), rs.getString(7), rs.getBoolean(8),
                        getTime(rs, 9), rs.getString(10), rs.getString(11), rs.getBoolean(12), rs.getString(13),
                        getTime(rs, 14), getTime(rs, 15), rs.getString(16), getTime(rs, 17), getTime(rs, 18)));
            }
        }
        return rows;
    }

    private static Calendar utc() {
        return Calendar.getInstance(TimeZone.getTimeZone("UTC"), Locale.ROOT);
    }

    static void setTime(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.TIMESTAMP);
        } else {
            ps.setTimestamp(i, Timestamp.from(t), utc());
        }
    }

    static Instant getTime(ResultSet rs, int i) throws SQLException {
        Timestamp t = rs.getTimestamp(i, utc());
        return t == null ? null : t.toInstant();
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }

    private static Long getLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }
}
