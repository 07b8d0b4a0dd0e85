package org.opendpm.scheduler.internal.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.execution.ExecutionStep;
import org.opendpm.api.execution.ResultQuery;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.inventory.PowerState;

/**
 * SQL over the {@code execution} table and the columns of {@code machine} that executions change. The machine's
 * status is written in the same transaction as the execution's state, so the two never disagree.
 */
public final class ExecutionTable {

    public static final int MAX_MESSAGE = 2000;
    private static final int IN_CHUNK = 500;
    private static final String EXECUTION_COLUMNS = "e.id, e.machine_id, e.machine_name, e.scenario_id, "
            + "e.scenario_name, e.state, e.step, e.steps, e.step_name, e.requested_by, e.queued_at, e.started_at, "
            + "e.ended_at, e.message";
    private static final String PROGRESS_COLUMNS = "s.progress_done, s.progress_total, s.progress_unit, "
            + "s.progress_rate, s.progress_eta";
    /** An execution with its current step's progress (IMG-6), read where the engine stores it. */
    private static final String COLUMNS = EXECUTION_COLUMNS + ", " + PROGRESS_COLUMNS;
    private static final String FROM = " FROM execution e LEFT JOIN execution_step s ON s.execution_id = e.id "
            + "AND s.step_index = e.step - 1";

    private ExecutionTable() {
    }

    /** The machine columns an execution's preconditions need. */
    record MachineRow(long id, String name, String primaryMac, Optional<String> ip, MachineStatus status,
            PowerState power, Optional<String> model, Optional<String> deployOs, Optional<String> uuid) {

        org.opendpm.scheduler.internal.power.PowerDrivers.Machine powerMachine() {
            return new org.opendpm.scheduler.internal.power.PowerDrivers.Machine(id, name, primaryMac, ip, model);
        }
    }

    /** A new row, before it has an id. */
    record NewExecution(long machineId, String machineName, long scenarioId, String scenarioName,
            ExecutionState state, String requestedBy, String message) {
    }

    /**
     * Takes the execution lock (the row of {@code execution_state}) and reserves {@code count} ids; returns the
     * first. Every request that creates executions holds it, so two requests cannot both start one machine.
     */
    public static long lockAndReserve(Connection c, int count) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE execution_state SET next_id = next_id + ? WHERE id = 1")) {
            ps.setLong(1, count);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT next_id FROM execution_state WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1) - count;
        }
    }

    static Map<Long, MachineRow> machines(Connection c, Collection<Long> ids) throws SQLException {
        Map<Long, MachineRow> rows = new HashMap<>();
        for (List<Long> chunk : chunks(ids)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, primary_mac, status, power_state, "
                    + "model, deploy_os, ip, uuid FROM machine WHERE id IN (" + marks(chunk.size()) + ")")) {
                bindAll(ps, chunk);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.put(rs.getLong(1), new MachineRow(rs.getLong(1), rs.getString(2), rs.getString(3),
                                Optional.ofNullable(rs.getString(8)), MachineStatus.valueOf(rs.getString(4)),
                                PowerState.valueOf(rs.getString(5)),
                                Optional.ofNullable(rs.getString(6)), Optional.ofNullable(rs.getString(7)),
                                Optional.ofNullable(rs.getString(9))));
                    }
                }
            }
        }
        return rows;
    }

    /** Machine id to assigned scenario id. */
    static Map<Long, Long> assignments(Connection c, Collection<Long> machineIds) throws SQLException {
        Map<Long, Long> rows = new HashMap<>();
        for (List<Long> chunk : chunks(machineIds)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT machine_id, scenario_id FROM scenario_assignment "
                    + "WHERE machine_id IN (" + marks(chunk.size()) + ")")) {
                bindAll(ps, chunk);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.put(rs.getLong(1), rs.getLong(2));
                    }
                }
            }
        }
        return rows;
    }

    /** Machines with a waiting or running execution. */
    static Set<Long> busyMachines(Connection c) throws SQLException {
        Set<Long> ids = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT machine_id FROM execution WHERE state IN ('WAITING', 'RUNNING')");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    /** Of the given scenarios, the machines with a waiting or running execution of each (EXE-10). */
    static Map<Long, Set<Long>> activeMachinesByScenario(Connection c, Collection<Long> scenarioIds)
            throws SQLException {
        Map<Long, Set<Long>> out = new HashMap<>();
        for (List<Long> chunk : chunks(scenarioIds)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT scenario_id, machine_id FROM execution WHERE state"
                    + " IN ('WAITING', 'RUNNING') AND scenario_id IN (" + marks(chunk.size()) + ")")) {
                bindAll(ps, chunk);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getLong(1), k -> new HashSet<>()).add(rs.getLong(2));
                    }
                }
            }
        }
        return out;
    }

    static void insert(Connection c, long firstId, List<NewExecution> rows, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO execution (id, machine_id, machine_name, "
                + "scenario_id, scenario_name, state, step, steps, step_name, requested_by, queued_at, ended_at, "
                + "message) VALUES (?, ?, ?, ?, ?, ?, 0, 0, '', ?, ?, ?, ?)")) {
            long id = firstId;
            int pending = 0;
            for (NewExecution row : rows) {
                ps.setLong(1, id++);
                ps.setLong(2, row.machineId());
                ps.setString(3, row.machineName());
                ps.setLong(4, row.scenarioId());
                ps.setString(5, row.scenarioName());
                ps.setString(6, row.state().name());
                ps.setString(7, cut(row.requestedBy(), 255));
                ps.setTimestamp(8, Timestamp.from(now));
                if (row.state().finished()) {
                    ps.setTimestamp(9, Timestamp.from(now));
                } else {
                    ps.setNull(9, Types.TIMESTAMP);
                }
                ps.setString(10, cut(row.message(), MAX_MESSAGE));
                ps.addBatch();
                if (++pending == 1000) {
                    ps.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                ps.executeBatch();
            }
        }
    }

    /** The oldest waiting executions, at most {@code limit}. */
    static List<Long> waiting(Connection c, int limit) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM execution WHERE state = 'WAITING' ORDER BY id")) {
            ps.setMaxRows(limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    static List<Long> running(Connection c) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM execution WHERE state = 'RUNNING'");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    /**
     * Waiting to running, owned by this server, while its plan is made; {@code false} when it was no longer waiting.
     */
    static boolean start(Connection c, long id, String owner, Instant now, Instant deadline) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE execution SET state = 'RUNNING', owner = ?, steps = 0, "
                + "step = 0, step_name = 'Planning', started_at = ?, deadline_at = ?, message = '' "
                + "WHERE id = ? AND state = 'WAITING'")) {
            ps.setString(1, owner);
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setTimestamp(3, Timestamp.from(deadline));
            ps.setLong(4, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Records the number of planned steps; {@code false} when the execution is no longer running. */
    static boolean planned(Connection c, long id, int steps) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE execution SET steps = ? WHERE id = ? AND state = 'RUNNING'")) {
            ps.setInt(1, steps);
            ps.setLong(2, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Running but not yet planned, back to waiting (the server stopped while planning it). */
    static void requeue(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE execution SET state = 'WAITING', owner = NULL, "
                + "step = 0, steps = 0, step_name = '', started_at = NULL, deadline_at = NULL WHERE id = ? "
                + "AND state = 'RUNNING'")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }

    /** Running executions this server may recover: its own, and those no server owns. */
    static List<Long> runningOwnedBy(Connection c, String owner) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM execution WHERE state = 'RUNNING' AND (owner IS NULL OR owner = ?) ORDER BY id")) {
            ps.setString(1, owner);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    static Optional<Instant> deadline(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT deadline_at FROM execution WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getTimestamp(1) != null
                        ? Optional.of(rs.getTimestamp(1).toInstant())
                        : Optional.empty();
            }
        }
    }

    /** Records the step now carried out; {@code false} when the execution is no longer running. */
    static boolean step(Connection c, long id, int step, String stepName) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE execution SET step = ?, step_name = ?, progress = NULL "
                + "WHERE id = ? AND state = 'RUNNING'")) {
            ps.setInt(1, step);
            ps.setString(2, stepName);
            ps.setLong(3, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Ends a waiting or running execution; {@code false} when it had ended already. */
    static boolean end(Connection c, long id, ExecutionState state, String message, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE execution SET state = ?, ended_at = ?, message = ? "
                + "WHERE id = ? AND state IN ('WAITING', 'RUNNING')")) {
            ps.setString(1, state.name());
            ps.setTimestamp(2, Timestamp.from(now));
            ps.setString(3, cut(message, MAX_MESSAGE));
            ps.setLong(4, id);
            return ps.executeUpdate() == 1;
        }
    }

    static void setMachineStatus(Connection c, long machineId, MachineStatus status) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE machine SET status = ?, updated_at = ? WHERE id = ?")) {
            ps.setString(1, status.name());
            ps.setTimestamp(2, Timestamp.from(Instant.now()));
            ps.setLong(3, machineId);
            ps.executeUpdate();
        }
    }

    /**
     * One execution with its current step's progress, read in two statements rather than the join: at READ
     * COMMITTED the join holds the execution row's shared lock while it waits for the step row, which a batch of
     * the loop may hold while it waits for the execution row (a deadlock); one row at a time, this read can only
     * wait for the batch to commit.
     */
    static Optional<Execution> find(Connection c, long id) throws SQLException {
        Execution e;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + EXECUTION_COLUMNS
                + " FROM execution e WHERE e.id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                e = plain(rs);
            }
        }
        if (e.step() < 1) {
            return Optional.of(e);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT " + PROGRESS_COLUMNS
                + " FROM execution_step s WHERE s.execution_id = ? AND s.step_index = ?")) {
            ps.setLong(1, id);
            ps.setInt(2, e.step() - 1);
            try (ResultSet rs = ps.executeQuery()) {
                return Optional.of(withProgress(e, rs.next() ? progress(rs, 1) : Optional.empty()));
            }
        }
    }

    static List<Execution> byIds(Connection c, List<Long> ids) throws SQLException {
        Map<Long, Execution> found = new HashMap<>();
        for (List<Long> chunk : chunks(ids)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + FROM + " WHERE e.id IN ("
                    + marks(chunk.size()) + ")")) {
                bindAll(ps, chunk);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Execution e = row(rs);
                        found.put(e.id(), e);
                    }
                }
            }
        }
        return ids.stream().map(found::get).toList();
    }

    static List<Execution> active(Connection c) throws SQLException {
        List<Execution> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                + FROM + " WHERE e.state IN ('WAITING', 'RUNNING') ORDER BY e.id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(row(rs));
            }
        }
        return rows;
    }

    /** The newest active execution of the machine, if any. */
    static Optional<Execution> activeOf(Connection c, long machineId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + FROM + " WHERE e.machine_id = ? "
                + "AND e.state IN ('WAITING', 'RUNNING') ORDER BY e.id DESC")) {
            ps.setLong(1, machineId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    static long countResults(Connection c, ResultQuery q) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM execution e" + where(q))) {
            bind(ps, q);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static List<Execution> results(Connection c, ResultQuery q) throws SQLException {
        List<Execution> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + FROM + where(q)
                + " ORDER BY e.ended_at DESC, e.id DESC OFFSET " + q.offset() + " ROWS FETCH NEXT " + q.limit()
                + " ROWS ONLY")) {
            bind(ps, q);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(row(rs));
                }
            }
        }
        return rows;
    }

    private static String where(ResultQuery q) {
        StringBuilder sql = new StringBuilder(" WHERE e.state NOT IN ('WAITING', 'RUNNING')");
        q.machineId().ifPresent(x -> sql.append(" AND e.machine_id = ?"));
        q.scenarioId().ifPresent(x -> sql.append(" AND e.scenario_id = ?"));
        q.from().ifPresent(x -> sql.append(" AND e.ended_at >= ?"));
        q.to().ifPresent(x -> sql.append(" AND e.ended_at < ?"));
        q.groupId().ifPresent(x -> sql.append(" AND e.machine_id IN (SELECT id FROM machine WHERE group_id = ?)"));
        q.state().ifPresent(x -> sql.append(" AND e.state = ?"));
        return sql.toString();
    }

    private static void bind(PreparedStatement ps, ResultQuery q) throws SQLException {
        int i = 1;
        if (q.machineId().isPresent()) {
            ps.setLong(i++, q.machineId().get());
        }
        if (q.scenarioId().isPresent()) {
            ps.setLong(i++, q.scenarioId().get());
        }
        if (q.from().isPresent()) {
            ps.setTimestamp(i++, Timestamp.from(q.from().get()));
        }
        if (q.to().isPresent()) {
            ps.setTimestamp(i++, Timestamp.from(q.to().get()));
        }
        if (q.groupId().isPresent()) {
            ps.setLong(i++, q.groupId().get());
        }
        if (q.state().isPresent()) {
            ps.setString(i, q.state().get().name());
        }
    }

    private static Execution row(ResultSet rs) throws SQLException {
        return withProgress(plain(rs), progress(rs, 15));
    }

    /** The execution's own columns, the first 14. */
    private static Execution plain(ResultSet rs) throws SQLException {
        return new Execution(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getString(5),
                ExecutionState.valueOf(rs.getString(6)), rs.getInt(7), rs.getInt(8), rs.getString(9),
                Optional.empty(), rs.getString(10), rs.getTimestamp(11).toInstant(), instant(rs.getTimestamp(12)),
                instant(rs.getTimestamp(13)), rs.getString(14));
    }

    /** The step's progress columns from {@code first} on; empty when it reported none. */
    private static Optional<ExecutionStep.Progress> progress(ResultSet rs, int first) throws SQLException {
        long done = rs.getLong(first);
        return rs.wasNull()
                ? Optional.empty()
                : Optional.of(new ExecutionStep.Progress(done, rs.getLong(first + 1), rs.getString(first + 2),
                        StepTable.orUnknown(rs, first + 3), StepTable.orUnknown(rs, first + 4)));
    }

    private static Execution withProgress(Execution e, Optional<ExecutionStep.Progress> step) {
        Optional<Integer> percent = step.flatMap(p -> p.percent().isPresent()
                ? Optional.of(p.percent().getAsInt())
                : Optional.empty());
        return new Execution(e.id(), e.machineId(), e.machineName(), e.scenarioId(), e.scenarioName(), e.state(),
                e.step(), e.steps(), e.stepName(), percent, e.requestedBy(), e.queuedAt(), e.startedAt(),
                e.endedAt(), e.message(), step);
    }

    private static Optional<Instant> instant(Timestamp t) {
        return t == null ? Optional.empty() : Optional.of(t.toInstant());
    }

    public static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    static List<List<Long>> chunks(Collection<Long> ids) {
        List<Long> all = new ArrayList<>(ids);
        List<List<Long>> chunks = new ArrayList<>();
        for (int i = 0; i < all.size(); i += IN_CHUNK) {
            chunks.add(all.subList(i, Math.min(all.size(), i + IN_CHUNK)));
        }
        return chunks;
    }

    static String marks(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    static void bindAll(PreparedStatement ps, List<Long> ids) throws SQLException {
        for (int i = 0; i < ids.size(); i++) {
            ps.setLong(i + 1, ids.get(i));
        }
    }
}
