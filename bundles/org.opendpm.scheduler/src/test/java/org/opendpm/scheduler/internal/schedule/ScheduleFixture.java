package org.opendpm.scheduler.internal.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.apache.derby.jdbc.EmbeddedDataSource;
import org.opendpm.api.ConflictException;
import org.opendpm.api.execution.ExecuteRequest;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionService;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.execution.ResultPage;
import org.opendpm.api.execution.ResultQuery;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineGroup;
import org.opendpm.api.inventory.MachineSpec;
import org.opendpm.api.inventory.NetworkSetting;
import org.opendpm.api.power.PowerService;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioService;
import org.opendpm.api.scenario.ScenarioSpec;
import org.opendpm.api.schedule.ScheduleKind;
import org.opendpm.api.schedule.ScheduleSpec;
import org.opendpm.inventory.internal.JdbcInventoryService;
import org.opendpm.scheduler.internal.scenario.JdbcScenarioService;
import org.opendpm.store.Database;

/**
 * A fresh, migrated in-memory Derby database with the real inventory and scenario service on it, fakes for the
 * execution and power services, and the schedule service under test; {@link #restart()} stops it and starts a new
 * instance over the same database, as a server restart would.
 */
final class ScheduleFixture implements AutoCloseable {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    final Database database;
    final InventoryService inventory;
    final ScenarioService scenarios;
    final Executions executions = new Executions();
    final Power power = new Power();
    final Duration grace;
    JdbcScheduleService service;
    private final List<JdbcScheduleService> started = new ArrayList<>();

    ScheduleFixture() {
        this(Duration.ofHours(1));
    }

    ScheduleFixture(Duration grace) {
        var ds = new EmbeddedDataSource();
        ds.setDatabaseName("memory:schedule-test-" + UUID.randomUUID());
        ds.setCreateDatabase("create");
        database = Database.over(ds);
        inventory = new JdbcInventoryService(database);
        scenarios = new JdbcScenarioService(database, new org.opendpm.scheduler.internal.TestPlugins(), inventory);
        this.grace = grace;
        service = start();
    }

    private JdbcScheduleService start() {
        JdbcScheduleService s = new JdbcScheduleService(database, inventory, executions, power, grace, 2);
        started.add(s);
        return s;
    }

    /** Stops the service and starts a new instance over the same database. */
    JdbcScheduleService restart() {
        service.deactivate();
        service = start();
        return service;
    }

    @Override
    public void close() {
        started.forEach(JdbcScheduleService::deactivate);
    }

    MachineGroup group(String path) {
        return inventory.findGroup(path).orElseGet(() -> inventory.createGroup(path, NetworkSetting.SAME_SUBNET));
    }

    /** A machine in the group, with a MAC derived from {@code n}. */
    Machine machine(String groupPath, String name, int n) {
        return inventory.createMachine(group(groupPath).id(), new MachineSpec(name, List.of(String.format(
                "02:00:00:%02x:%02x:%02x", n >> 16 & 255, n >> 8 & 255, n & 255)), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty()));
    }

    /** A scenario without plugin tabs (the Option tab only), enough to be scheduled. */
    Scenario scenario(String name) {
        long group = scenarios.findGroup("/Tests").orElseGet(() -> scenarios.createGroup("/Tests")).id();
        return scenarios.createScenario(new ScenarioSpec(name, group, Map.of(), null));
    }

    static ScheduleSpec once(String name, ScheduleKind kind, Long scenario, List<Long> machines, Long group,
            boolean subgroups, LocalDateTime at) {
        return new ScheduleSpec(name, kind, Optional.ofNullable(scenario), machines, Optional.ofNullable(group),
                subgroups, Optional.of(at), Optional.empty(), BERLIN.getId(), true);
    }

    static ScheduleSpec repeating(String name, ScheduleKind kind, Long scenario, List<Long> machines, Long group,
            String cron, String zone) {
        return new ScheduleSpec(name, kind, Optional.ofNullable(scenario), machines, Optional.ofNullable(group),
                false, Optional.empty(), Optional.of(cron), zone, true);
    }

    /** Berlin wall-clock time {@code seconds} from now. */
    static LocalDateTime inSeconds(long seconds) {
        return LocalDateTime.now(BERLIN).plusSeconds(seconds).withNano(0);
    }

    void sql(String sql, Object... args) {
        database.inTransaction(c -> {
            try (var ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    if (args[i] instanceof Instant t) {
                        ScheduleTable.setTime(ps, i + 1, t);
                    } else {
                        ps.setObject(i + 1, args[i]);
                    }
                }
                return ps.executeUpdate();
            }
        });
    }

    long count(String table) {
        return database.inTransaction(c -> {
            try (var ps = c.prepareStatement("SELECT COUNT(*) FROM " + table); var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** Waits for a condition (Quartz fires in real time); fails after {@code seconds}. */
    static void await(String what, int seconds, BooleanSupplier condition) {
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("Timed out after " + seconds + " s waiting for: " + what);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** Records requests; machines in {@link #refuse} get a failed execution, as a precondition would give them. */
    static final class Executions implements ExecutionService {
        final List<ExecuteRequest> requests = Collections.synchronizedList(new ArrayList<>());
        final Set<Long> refuse = ConcurrentHashMap.newKeySet();
        private final AtomicLong ids = new AtomicLong();

        @Override
        public List<org.opendpm.api.execution.ExecutionStep> steps(long executionId) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public List<org.opendpm.api.execution.ExecutionStep.LogLine> log(long executionId) {
            throw new AssertionError("not used by this test");
        }

        List<ExecuteRequest> by(String requestedBy) {
            synchronized (requests) {
                return requests.stream().filter(r -> r.requestedBy().equals(requestedBy)).toList();
            }
        }

        List<Long> machinesBy(String requestedBy) {
            return by(requestedBy).stream().flatMap(r -> r.machineIds().stream()).toList();
        }

        @Override
        public List<Execution> execute(ExecuteRequest request) {
            requests.add(request);
            return request.machineIds().stream().map(m -> {
                boolean refused = refuse.contains(m);
                return new Execution(ids.incrementAndGet(), m, "machine " + m, request.scenarioId().orElseThrow(),
                        "scenario", refused ? ExecutionState.FAILED : ExecutionState.WAITING, 0, 0, "",
                        Optional.empty(), request.requestedBy(), Instant.now(), Optional.empty(),
                        refused ? Optional.of(Instant.now()) : Optional.empty(),
                        refused ? "the machine is in error; remove the error first" : "");
            }).toList();
        }

        @Override
        public List<Execution> active() {
            throw new AssertionError("not used by this test");
        }

        @Override
        public Execution execution(long id) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public Execution cancel(long id, String by) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public ResultPage results(ResultQuery query) {
            throw new AssertionError("not used by this test");
        }

        @Override
        public boolean removeError(long machineId) {
            throw new AssertionError("not used by this test");
        }
    }

    /** Records power actions; machines in {@link #fail} are refused as one without an agent would be. */
    static final class Power implements PowerService {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        final Set<Long> fail = ConcurrentHashMap.newKeySet();

        private void act(String what, long id) {
            calls.add(what + " " + id);
            if (fail.contains(id)) {
                throw new ConflictException("no agent answers on machine " + id);
            }
        }

        @Override
        public void powerOn(long machineId) {
            act("on", machineId);
        }

        @Override
        public void shutdown(long machineId) {
            act("shutdown", machineId);
        }

        @Override
        public void reboot(long machineId) {
            throw new AssertionError("not used by this test");
        }
    }
}
