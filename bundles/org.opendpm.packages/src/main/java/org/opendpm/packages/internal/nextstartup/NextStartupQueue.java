package org.opendpm.packages.internal.nextstartup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentListener;
import org.opendpm.api.execution.ExecuteRequest;
import org.opendpm.api.execution.ExecutionService;
import org.opendpm.api.packages.NextStartupService;
import org.opendpm.api.packages.PendingRun;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioService;
import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Execute At Next Startup (EXE-11) over {@code next_startup_run} (changeSet {@code 13-next-startup}). Queuing
 * counts the machine's entries under {@code package_state}'s row lock, so the bound of
 * {@value NextStartupService#MAX_PENDING} holds under concurrency. When the agent of a machine's installed OS says
 * hello the machine is armed with that moment: its entries queued before it are started oldest first (one queued
 * later waits for the start after), one execution at a time, each removed once the
 * engine took it; a machine busy with another execution is tried again on the next round (every 5 s). Only a start
 * of the agent arms: its hello carries a start id drawn once per start of its process, kept in {@code agent_start}
 * (changeSet {@code 13-agent-starts}), so a connection that comes back (a network break, a restart of this server)
 * does not run them; an agent that sends no start id arms with every hello. Which machines are armed is kept in
 * memory: a machine armed when this server stops is armed again by nothing but its next start, which is what
 * "next startup" means.
 */
@Component(service = { NextStartupService.class, AgentListener.class }, immediate = true)
public class NextStartupQueue implements NextStartupService, AgentListener {

    private static final Logger LOG = LoggerFactory.getLogger(NextStartupQueue.class);

    private final Database database;
    private final ScenarioService scenarios;
    private final ExecutionService executions;
    private final Clock clock;
    /** Armed machines and when their agent started. */
    private final Map<Long, Instant> armed = new ConcurrentHashMap<>();
    private final ScheduledExecutorService rounds;

    @Activate
    public NextStartupQueue(@Reference Database database, @Reference ScenarioService scenarios,
            @Reference ExecutionService executions) {
        this(database, scenarios, executions, Clock.systemUTC(), 5);
    }

    public NextStartupQueue(Database database, ScenarioService scenarios, ExecutionService executions, Clock clock,
            long roundSeconds) {
        this.database = database;
        this.scenarios = scenarios;
        this.executions = executions;
        this.clock = clock;
        this.rounds = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "opendpm-next-startup");
            t.setDaemon(true);
            return t;
        });
        rounds.scheduleWithFixedDelay(this::round, roundSeconds, roundSeconds, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        rounds.shutdownNow();
    }

    @Override
    public PendingRun queue(long machineId, long scenarioId, String by) {
        Scenario s = scenarios.scenario(scenarioId);
        if (s.tabs().stream().noneMatch(t -> PACKAGE_TAB.equals(t.type()))) {
            throw new ValidationException("scenarioId", "Scenario " + s.name() + " has no Package tab: only package"
                    + " scenarios run at a machine's next startup");
        }
        String who = by == null || by.isBlank() ? "unknown" : by;
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        PendingRun run = database.inTransaction(c -> {
            long id = lockAndNextId(c);
            String machine = machineName(c, machineId);
            int waiting = count(c, machineId);
            if (waiting >= MAX_PENDING) {
                throw new ConflictException("Machine " + machine + " already has " + MAX_PENDING + " package"
                        + " scenarios waiting for its next startup (EXE-11): restart it so they run, or cancel some");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO next_startup_run (id, machine_id,"
                    + " scenario_id, queued_by, queued_at) VALUES (?, ?, ?, ?, ?)")) {
                ps.setLong(1, id);
                ps.setLong(2, machineId);
                ps.setLong(3, scenarioId);
                ps.setString(4, who.length() > 255 ? who.substring(0, 255) : who);
                ps.setTimestamp(5, Timestamp.from(now));
                ps.executeUpdate();
            }
            return new PendingRun(id, machineId, scenarioId, s.name(), who, now);
        });
        LOG.info("Scenario {} queued for the next startup of machine {} by {}", s.name(), machineId, who);
        return run;
    }

    @Override
    public List<PendingRun> pending(long machineId) {
        return database.inTransaction(c -> {
            machineName(c, machineId);
            return read(c, machineId);
        });
    }

    @Override
    public void cancel(long machineId, long id) {
        database.inTransaction(c -> {
            lockAndNextId(c);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM next_startup_run WHERE id = ?"
                    + " AND machine_id = ?")) {
                ps.setLong(1, id);
                ps.setLong(2, machineId);
                if (ps.executeUpdate() == 0) {
                    throw new NotFoundException("Machine " + machineId + " has no scenario " + id
                            + " waiting for its next startup");
                }
            }
            return null;
        });
    }

    @Override
    public void connected(AgentInfo agent) {
        if (agent.deployOs() || agent.machineId().isEmpty()) {
            return; // packages install with the installed OS
        }
        long machineId = agent.machineId().get();
        rounds.execute(() -> {
            if (started(machineId, agent.startId())) {
                armed.put(machineId, clock.instant());
                startNext(machineId);
            }
        });
    }

    /** Whether this hello is a start of the machine's agent rather than a connection that came back; records it. */
    private boolean started(long machineId, Optional<String> startId) {
        if (startId.isEmpty()) {
            return true;
        }
        try {
            return database.inTransaction(c -> {
                String last = null;
                try (PreparedStatement ps = c.prepareStatement("SELECT start_id FROM agent_start WHERE machine_id = ?"
                        + " FOR UPDATE")) {
                    ps.setLong(1, machineId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            last = rs.getString(1);
                        }
                    }
                }
                if (startId.get().equals(last)) {
                    return false;
                }
                try (PreparedStatement ps = c.prepareStatement(last == null
                        ? "INSERT INTO agent_start (start_id, seen_at, machine_id) VALUES (?, ?, ?)"
                        : "UPDATE agent_start SET start_id = ?, seen_at = ? WHERE machine_id = ?")) {
                    ps.setString(1, startId.get());
                    ps.setTimestamp(2, Timestamp.from(clock.instant()));
                    ps.setLong(3, machineId);
                    ps.executeUpdate();
                }
                return true;
            });
        } catch (RuntimeException e) {
            LOG.warn("Machine {}: its agent's start could not be recorded, so its next-startup scenarios wait for the"
                    + " next start: {}", machineId, e.getMessage());
            return false;
        }
    }

    @Override
    public void disconnected(AgentInfo agent, String reason) {
        // An armed machine keeps its place: a package's restart ends the session, and the next hello arms it again.
    }

    /** Tries every armed machine; every few seconds, and from tests. */
    void round() {
        for (Long machineId : armed.keySet()) {
            startNext(machineId);
        }
    }

    /** Starts the machine's oldest waiting scenario unless it runs one already. */
    private void startNext(long machineId) {
        Instant start = armed.get(machineId);
        if (start == null) {
            return;
        }
        try {
            Optional<PendingRun> next = database.inTransaction(c -> read(c, machineId)).stream()
                    .filter(r -> !r.queuedAt().isAfter(start)).findFirst();
            if (next.isEmpty()) {
                armed.remove(machineId, start);
                return;
            }
            if (executions.active().stream().anyMatch(e -> e.machineId() == machineId)) {
                return;
            }
            PendingRun run = next.get();
            executions.execute(new ExecuteRequest(List.of(machineId), Optional.of(run.scenarioId()), true,
                    "next startup (queued by " + run.queuedBy() + ")"));
            database.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM next_startup_run WHERE id = ?")) {
                    ps.setLong(1, run.id());
                    ps.executeUpdate();
                }
                return null;
            });
            LOG.info("Machine {} started: scenario {} queued for its next startup is running", machineId,
                    run.scenarioName());
        } catch (ConflictException e) {
            LOG.debug("Machine {} cannot start its next waiting scenario yet: {}", machineId, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Machine {}: a scenario waiting for its next startup could not start: {}", machineId,
                    e.getMessage());
        }
    }

    private static long lockAndNextId(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE package_state SET next_id = next_id + 1 WHERE id = 1")) {
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT next_id FROM package_state WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1) - 1;
        }
    }

    /** The machine's name; the machine table is the inventory's, read here in the queue's own transaction. */
    private static String machineName(Connection c, long machineId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM machine WHERE id = ?")) {
            ps.setLong(1, machineId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new NotFoundException("No machine " + machineId);
                }
                return rs.getString(1);
            }
        }
    }

    private static int count(Connection c, long machineId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM next_startup_run WHERE machine_id = ?")) {
            ps.setLong(1, machineId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static List<PendingRun> read(Connection c, long machineId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT r.id, r.scenario_id, s.name, r.queued_by, r.queued_at"
                + " FROM next_startup_run r JOIN scenario s ON s.id = r.scenario_id WHERE r.machine_id = ?"
                + " ORDER BY r.id")) {
            ps.setLong(1, machineId);
            List<PendingRun> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new PendingRun(rs.getLong(1), machineId, rs.getLong(2), rs.getString(3), rs.getString(4),
                            rs.getTimestamp(5).toInstant()));
                }
            }
            return out;
        }
    }
}
