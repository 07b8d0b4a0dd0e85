package org.opendpm.scheduler.internal.images.multicast;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.opendpm.api.multicast.MulticastSessionInfo;
import org.opendpm.api.multicast.MulticastSessionInfo.Member;
import org.opendpm.api.multicast.MulticastSessionInfo.MemberState;
import org.opendpm.api.multicast.MulticastSessionInfo.State;
import org.opendpm.spi.AgentHandle.Multicast;

/** The SQL of {@code multicast_session} and {@code multicast_member}; every method runs in its caller's transaction. */
final class SessionTable {

    static final int MAX_MESSAGE = 2000;
    private static final String SESSION_COLUMNS = "id, scenario_id, scenario_name, image_name, state, maximum_targets,"
            + " maximum_waiting_seconds, group_address, created_at, started_at, ended_at, rate, started_by, message";

    private SessionTable() {
    }

    /** The scenario an execution runs: its id and name, empty when the execution is gone. */
    record ScenarioOf(long id, String name) {
    }

    static Optional<ScenarioOf> scenarioOf(Connection c, long executionId) throws SQLException {
        try (PreparedStatement ps = c
                .prepareStatement("SELECT scenario_id, scenario_name FROM execution WHERE id = ?")) {
            ps.setLong(1, executionId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new ScenarioOf(rs.getLong(1), rs.getString(2))) : Optional.empty();
            }
        }
    }

    /**
     * The waiting session of the scenario and image that still takes a member (fewer than its Maximum Targets), the
     * oldest first; empty when none does.
     */
    static Optional<Long> openWaiting(Connection c, long scenarioId, String image) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT s.id, s.maximum_targets, (SELECT COUNT(*) FROM"
                + " multicast_member m WHERE m.session_id = s.id AND m.state = 'WAITING') FROM multicast_session s"
                + " WHERE s.state = 'WAITING' AND s.scenario_id = ? AND s.image_name = ? ORDER BY s.id")) {
            ps.setLong(1, scenarioId);
            ps.setString(2, image);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int max = rs.getInt(2);
                    if (rs.wasNull() || rs.getInt(3) < max) {
                        return Optional.of(rs.getLong(1));
                    }
                }
            }
        }
        return Optional.empty();
    }

    static long insertSession(Connection c, ScenarioOf scenario, String image, Multicast condition, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO multicast_session (scenario_id, scenario_name,"
                + " image_name, state, maximum_targets, maximum_waiting_seconds, created_at, message) VALUES (?, ?, ?,"
                + " 'WAITING', ?, ?, ?, '')", Statement.RETURN_GENERATED_KEYS)) {
            ps.setLong(1, scenario.id());
            ps.setString(2, scenario.name());
            ps.setString(3, image);
            if (condition.maximumTargets().isPresent()) {
                ps.setInt(4, condition.maximumTargets().getAsInt());
            } else {
                ps.setNull(4, Types.INTEGER);
            }
            if (condition.maximumWaiting().isPresent()) {
                ps.setLong(5, condition.maximumWaiting().get().toSeconds());
            } else {
                ps.setNull(5, Types.BIGINT);
            }
            ps.setTimestamp(6, Timestamp.from(now));
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    static void insertMember(Connection c, long session, long execution, long machine, String machineName,
            long totalBytes, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO multicast_member (session_id, execution_id,"
                + " machine_id, machine_name, state, ready_at, confirmed_chunks, confirmed_bytes, total_bytes, reason)"
                + " VALUES (?, ?, ?, ?, 'WAITING', ?, 0, 0, ?, '')")) {
            ps.setLong(1, session);
            ps.setLong(2, execution);
            ps.setLong(3, machine);
            ps.setString(4, machineName);
            ps.setTimestamp(5, Timestamp.from(now));
            ps.setLong(6, totalBytes);
            ps.executeUpdate();
        }
    }

    /** Sets the state of a session's members that are in {@code from} now. */
    static void setMembers(Connection c, long session, MemberState from, MemberState to) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE multicast_member SET state = ? WHERE session_id = ?"
                + " AND state = ?")) {
            ps.setString(1, to.name());
            ps.setLong(2, session);
            ps.setString(3, from.name());
            ps.executeUpdate();
        }
    }

    /** Ends a member that is waiting or running; false when it had ended already. */
    static boolean endMember(Connection c, long session, long execution, MemberState state, String reason)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE multicast_member SET state = ?, reason = ? WHERE"
                + " session_id = ? AND execution_id = ? AND state IN ('WAITING', 'RUNNING')")) {
            ps.setString(1, state.name());
            ps.setString(2, cut(reason));
            ps.setLong(3, session);
            ps.setLong(4, execution);
            return ps.executeUpdate() == 1;
        }
    }

    static void progress(Connection c, long session, long execution, long chunks, long bytes) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE multicast_member SET confirmed_chunks = ?,"
                + " confirmed_bytes = ? WHERE session_id = ? AND execution_id = ?")) {
            ps.setLong(1, chunks);
            ps.setLong(2, bytes);
            ps.setLong(3, session);
            ps.setLong(4, execution);
            ps.executeUpdate();
        }
    }

    /** Marks a waiting session running; false when it was not waiting. */
    static boolean markRunning(Connection c, long session, String by, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE multicast_session SET state = 'RUNNING', started_at = ?,"
                + " started_by = ? WHERE id = ? AND state = 'WAITING'")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setString(2, by);
            ps.setLong(3, session);
            return ps.executeUpdate() == 1;
        }
    }

    static void sender(Connection c, long session, long senderId, String group) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE multicast_session SET sender_id = ?, group_address = ?"
                + " WHERE id = ?")) {
            ps.setLong(1, senderId);
            ps.setString(2, group);
            ps.setLong(3, session);
            ps.executeUpdate();
        }
    }

    static void rate(Connection c, long session, long rate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE multicast_session SET rate = ? WHERE id = ?")) {
            ps.setLong(1, rate);
            ps.setLong(2, session);
            ps.executeUpdate();
        }
    }

    /** Ends a session that is waiting or running as DONE or FAILED with a message. */
    static void endSession(Connection c, long session, State state, String message, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE multicast_session SET state = ?, message = ?,"
                + " ended_at = ? WHERE id = ? AND state IN ('WAITING', 'RUNNING')")) {
            ps.setString(1, state.name());
            ps.setString(2, cut(message));
            ps.setTimestamp(3, Timestamp.from(now));
            ps.setLong(4, session);
            ps.executeUpdate();
        }
    }

    /**
     * Fails every session left waiting or running, and their members that had not ended, with the message.
     *
     * @return how many sessions
     */
    static int failUnfinished(Connection c, String message, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE multicast_member SET state = 'FAILED', reason = ? WHERE"
                + " state IN ('WAITING', 'RUNNING') AND session_id IN (SELECT id FROM multicast_session WHERE state IN"
                + " ('WAITING', 'RUNNING'))")) {
            ps.setString(1, cut(message));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE multicast_session SET state = 'FAILED', message = ?,"
                + " ended_at = ? WHERE state IN ('WAITING', 'RUNNING')")) {
            ps.setString(1, cut(message));
            ps.setTimestamp(2, Timestamp.from(now));
            return ps.executeUpdate();
        }
    }

    /** Sessions in the given states, oldest first. */
    static List<MulticastSessionInfo> inStates(Connection c, State... states) throws SQLException {
        StringBuilder in = new StringBuilder();
        for (State s : states) {
            in.append(in.length() == 0 ? "'" : ", '").append(s.name()).append('\'');
        }
        return query(c, "SELECT " + SESSION_COLUMNS + " FROM multicast_session WHERE state IN (" + in + ") ORDER BY id",
                null, Integer.MAX_VALUE);
    }

    /** The latest sessions, newest first. */
    static List<MulticastSessionInfo> latest(Connection c, int max) throws SQLException {
        return query(c, "SELECT " + SESSION_COLUMNS + " FROM multicast_session ORDER BY CASE WHEN state IN ('WAITING',"
                + " 'RUNNING') THEN 0 ELSE 1 END, id DESC", null, max);
    }

    static Optional<MulticastSessionInfo> find(Connection c, long id) throws SQLException {
        return query(c, "SELECT " + SESSION_COLUMNS + " FROM multicast_session WHERE id = ?", id, 1).stream()
                .findFirst();
    }

    private static List<MulticastSessionInfo> query(Connection c, String sql, Long id, int max) throws SQLException {
        Map<Long, MulticastSessionInfo> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (id != null) {
                ps.setLong(1, id);
            }
            ps.setMaxRows(max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int targets = rs.getInt(6);
                    OptionalInt maxTargets = rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(targets);
                    long waiting = rs.getLong(7);
                    Optional<Duration> maxWaiting = rs.wasNull()
                            ? Optional.empty()
                            : Optional.of(Duration.ofSeconds(waiting));
                    out.put(rs.getLong(1), new MulticastSessionInfo(rs.getLong(1), rs.getLong(2), rs.getString(3),
                            rs.getString(4), State.valueOf(rs.getString(5)), maxTargets, maxWaiting,
                            Optional.ofNullable(rs.getString(8)), rs.getTimestamp(9).toInstant(), time(rs, 10),
                            time(rs, 11), rs.getLong(12), Optional.ofNullable(rs.getString(13)), rs.getString(14),
                            List.of()));
                }
            }
        }
        if (out.isEmpty()) {
            return List.of();
        }
        Map<Long, List<Member>> members = members(c, out.keySet());
        List<MulticastSessionInfo> list = new ArrayList<>();
        for (MulticastSessionInfo s : out.values()) {
            list.add(new MulticastSessionInfo(s.id(), s.scenarioId(), s.scenarioName(), s.imageName(), s.state(),
                    s.maximumTargets(), s.maximumWaiting(), s.group(), s.created(), s.started(), s.ended(),
                    s.rateBytesPerSecond(), s.startedBy(), s.message(), members.getOrDefault(s.id(), List.of())));
        }
        return list;
    }

    private static Map<Long, List<Member>> members(Connection c, java.util.Collection<Long> sessions)
            throws SQLException {
        Map<Long, List<Member>> out = new LinkedHashMap<>();
        List<Long> ids = new ArrayList<>(sessions);
        // In slices, so a long list never makes an IN clause beyond what the databases take.
        for (int from = 0; from < ids.size(); from += 500) {
            List<Long> slice = ids.subList(from, Math.min(ids.size(), from + 500));
            StringBuilder marks = new StringBuilder();
            slice.forEach(x -> marks.append(marks.length() == 0 ? "?" : ", ?"));
            try (PreparedStatement ps = c.prepareStatement("SELECT session_id, execution_id, machine_id, machine_name,"
                    + " state, ready_at, confirmed_chunks, confirmed_bytes, total_bytes, reason FROM multicast_member"
                    + " WHERE session_id IN (" + marks + ") ORDER BY ready_at, execution_id")) {
                for (int i = 0; i < slice.size(); i++) {
                    ps.setLong(i + 1, slice.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new Member(rs.getLong(2),
                                rs.getLong(3), rs.getString(4), MemberState.valueOf(rs.getString(5)),
                                rs.getTimestamp(6).toInstant(), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                                rs.getString(10)));
                    }
                }
            }
        }
        return out;
    }

    private static Optional<Instant> time(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? Optional.empty() : Optional.of(t.toInstant());
    }

    private static String cut(String s) {
        return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE - 1) + "…";
    }
}
