package org.opendpm.scheduler.internal.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.opendpm.api.execution.ExecutionStep;
import org.opendpm.spi.Step;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The rows of {@code execution_step} and {@code execution_log}: each planned step with its state, progress and times,
 * and the lines step executors log. The stored steps are the plan a restarted server carries on with.
 */
final class StepTable {

    /** Lines kept per execution; later ones are counted in the last kept line's stead. */
    static final int MAX_LOG_LINES = 1000;
    static final int MAX_LINE = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private StepTable() {
    }

    /** The state of one stored step. */
    enum State {
        PENDING, RUNNING, DONE, FAILED, STOPPED
    }

    /** Writes the plan: every step PENDING. */
    static void insert(Connection c, long executionId, List<Step> steps) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO execution_step (execution_id, step_index, "
                + "executor, name, parameters, needs_deploy_os, resumable, state, attempts, message) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', 0, '')")) {
            for (int i = 0; i < steps.size(); i++) {
                Step s = steps.get(i);
                ps.setLong(1, executionId);
                ps.setInt(2, i);
                ps.setString(3, s.executor());
                ps.setString(4, s.name());
                ps.setString(5, json(s.parameters()));
                ps.setBoolean(6, s.needsDeployOs());
                ps.setBoolean(7, s.resumable());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The stored plan of an execution, in order. */
    static List<Step> plan(Connection c, long executionId) throws SQLException {
        List<Step> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT executor, name, parameters, needs_deploy_os, resumable "
                + "FROM execution_step WHERE execution_id = ? ORDER BY step_index")) {
            ps.setLong(1, executionId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Step(rs.getString(1), rs.getString(2), parameters(rs.getString(3)), rs.getBoolean(4),
                            rs.getBoolean(5)));
                }
            }
        }
        return out;
    }

    /** The index of the step that was running, if one was. */
    static Optional<Integer> running(Connection c, long executionId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT MIN(step_index) FROM execution_step "
                + "WHERE execution_id = ? AND state IN ('RUNNING', 'PENDING')")) {
            ps.setLong(1, executionId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int i = rs.getInt(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(i);
            }
        }
    }

    static void begin(Connection c, long executionId, int index, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE execution_step SET state = 'RUNNING', started_at = ?, "
                + "ended_at = NULL, attempts = attempts + 1, progress_done = NULL, progress_total = NULL, "
                + "progress_unit = NULL, progress_rate = NULL, progress_eta = NULL WHERE execution_id = ? AND step_index = ?")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.setLong(2, executionId);
            ps.setInt(3, index);
            ps.executeUpdate();
        }
    }

    static void end(Connection c, long executionId, int index, State state, String message, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE execution_step SET state = ?, ended_at = ?, "
                + "message = ? WHERE execution_id = ? AND step_index = ? AND state = 'RUNNING'")) {
            ps.setString(1, state.name());
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setString(3, ExecutionTable.cut(message, ExecutionTable.MAX_MESSAGE));
            ps.setLong(4, executionId);
            ps.setInt(5, index);
            ps.executeUpdate();
        }
    }

    /**
     * Stores a step's progress with its rate and ETA (IMG-6); {@code runningOnly} leaves a step alone that is no
     * longer running (the report came after its end was written).
     */
    static void progress(Connection c, long executionId, int index, ProgressRate.Snapshot p, boolean runningOnly)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE execution_step SET progress_done = ?, "
                + "progress_total = ?, progress_unit = ?, progress_rate = ?, progress_eta = ? WHERE execution_id = ? "
                + "AND step_index = ?" + (runningOnly ? " AND state = 'RUNNING'" : ""))) {
            ps.setLong(1, p.done());
            ps.setLong(2, p.total());
            ps.setString(3, ExecutionTable.cut(p.unit(), 32));
            ps.setLong(4, p.rate());
            ps.setLong(5, p.etaSeconds());
            ps.setLong(6, executionId);
            ps.setInt(7, index);
            ps.executeUpdate();
        }
    }

    /** Appends lines to the execution's log, keeping at most {@link #MAX_LOG_LINES}. */
    static void log(Connection c, long executionId, int index, List<String> lines, Instant now) throws SQLException {
        int next;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT COALESCE(MAX(seq), -1) + 1 FROM execution_log WHERE execution_id = ?")) {
            ps.setLong(1, executionId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                next = rs.getInt(1);
            }
        }
        if (next >= MAX_LOG_LINES) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO execution_log (execution_id, seq, step_index, "
                + "logged_at, line) VALUES (?, ?, ?, ?, ?)")) {
            for (String line : lines) {
                if (next >= MAX_LOG_LINES) {
                    break;
                }
                ps.setLong(1, executionId);
                ps.setInt(2, next);
                ps.setInt(3, index);
                ps.setTimestamp(4, Timestamp.from(now));
                ps.setString(5, next == MAX_LOG_LINES - 1
                        ? "(log full: later lines are not kept)"
                        : ExecutionTable.cut(line, MAX_LINE));
                ps.addBatch();
                next++;
            }
            ps.executeBatch();
        }
    }

    /** The steps of an execution as the API shows them. */
    static List<ExecutionStep> steps(Connection c, long executionId) throws SQLException {
        List<ExecutionStep> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT step_index, executor, name, state, progress_done, "
                + "progress_total, progress_unit, started_at, ended_at, attempts, message, progress_rate, progress_eta "
                + "FROM execution_step "
                + "WHERE execution_id = ? ORDER BY step_index")) {
            ps.setLong(1, executionId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long done = rs.getLong(5);
                    boolean noProgress = rs.wasNull();
                    out.add(new ExecutionStep(rs.getInt(1) + 1, rs.getString(2), rs.getString(3),
                            ExecutionStep.State.valueOf(rs.getString(4)),
                            noProgress
                                    ? Optional.empty()
                                    : Optional.of(new ExecutionStep.Progress(done, rs.getLong(6), rs.getString(7),
                                            orUnknown(rs, 12), orUnknown(rs, 13))),
                            instant(rs.getTimestamp(8)), instant(rs.getTimestamp(9)), rs.getInt(10),
                            rs.getString(11)));
                }
            }
        }
        return out;
    }

    /** The execution's log lines, oldest first. */
    static List<ExecutionStep.LogLine> log(Connection c, long executionId) throws SQLException {
        List<ExecutionStep.LogLine> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT step_index, logged_at, line FROM execution_log "
                + "WHERE execution_id = ? ORDER BY seq")) {
            ps.setLong(1, executionId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ExecutionStep.LogLine(rs.getInt(1) + 1, rs.getTimestamp(2).toInstant(),
                            rs.getString(3)));
                }
            }
        }
        return out;
    }

    /** A nullable figure, -1 when NULL (stored before rates were). */
    static long orUnknown(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? -1 : v;
    }

    private static Optional<Instant> instant(Timestamp t) {
        return t == null ? Optional.empty() : Optional.of(t.toInstant());
    }

    private static String json(Map<String, String> parameters) {
        try {
            return JSON.writeValueAsString(parameters);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A map of strings cannot fail to serialise", e);
        }
    }

    private static Map<String, String> parameters(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, String>>() {
            });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored step parameters are not readable: " + e.getOriginalMessage(), e);
        }
    }
}
