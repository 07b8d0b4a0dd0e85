package org.opendpm.packages.internal.nextstartup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.execution.ExecuteRequest;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionService;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.packages.NextStartupService;
import org.opendpm.api.packages.PendingRun;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioService;
import org.opendpm.api.scenario.ScenarioTab;
import org.opendpm.packages.internal.TestDatabase;
import org.opendpm.store.Database;

/** Execute At Next Startup (EXE-11) over a real database; the scenarios and the engine are doubles. */
public class NextStartupQueueTest {

    private static final long MACHINE = 1;
    private static final long PACKAGE_SCENARIO = 10;
    private static final long BACKUP_SCENARIO = 11;

    private Database db;
    private final List<ExecuteRequest> started = new CopyOnWriteArrayList<>();
    private final List<Execution> active = new CopyOnWriteArrayList<>();
    private NextStartupQueue queue;
    private ScenarioService scenarios;
    private ExecutionService executions;

    @Before
    public void setUp() {
        db = TestDatabase.create();
        TestDatabase.machineAndScenario(db, MACHINE, "web01", PACKAGE_SCENARIO, "Patch Tuesday");
        TestDatabase.machineAndScenario(db, 2, "web02", BACKUP_SCENARIO, "Backup");
        scenarios = proxy(ScenarioService.class, (name, args) -> {
            if (!name.equals("scenario")) {
                throw new AssertionError("unexpected call " + name);
            }
            long id = (Long) args[0];
            if (id != PACKAGE_SCENARIO && id != BACKUP_SCENARIO) {
                throw new NotFoundException("No scenario " + id);
            }
            String tab = id == PACKAGE_SCENARIO ? NextStartupService.PACKAGE_TAB : "backup-restore";
            return new Scenario(id, id == PACKAGE_SCENARIO ? "Patch Tuesday" : "Backup", 1, "/S",
                    List.of(new ScenarioTab(tab, 1, Map.of())), null, false, Optional.empty(), true,
                    Optional.empty(), 0);
        });
        executions = proxy(ExecutionService.class, (name, args) -> {
            if (name.equals("active")) {
                return List.copyOf(active);
            }
            if (name.equals("execute")) {
                ExecuteRequest r = (ExecuteRequest) args[0];
                started.add(r);
                Execution e = new Execution(started.size(), r.machineIds().get(0), "web01", r.scenarioId().get(),
                        "Patch Tuesday", ExecutionState.WAITING, 0, 0, "", Optional.empty(), r.requestedBy(),
                        Instant.now(), Optional.empty(), Optional.empty(), "", Optional.empty());
                active.add(e);
                return List.of(e);
            }
            throw new AssertionError("unexpected call " + name);
        });
        // Rounds every hour: the test drives them itself.
        queue = new NextStartupQueue(db, scenarios, executions, Clock.systemUTC(), 3600);
    }

    @After
    public void tearDown() {
        queue.deactivate();
    }

    interface Answer {
        Object answer(String method, Object[] args);
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Answer answer) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{ type },
                (p, m, args) -> answer.answer(m.getName(), args));
    }

    private static AgentInfo agent(long machineId, boolean deployOs) {
        return new AgentInfo(Optional.of(machineId), "52:54:00:00:00:01", Optional.empty(), "127.0.0.1", "web01",
                "Linux", "0.1.0", deployOs, Instant.now(), Instant.now(), Optional.empty());
    }

    /** The installed OS's agent saying hello with the start id of its process. */
    private static AgentInfo started(long machineId, String startId) {
        return new AgentInfo(Optional.of(machineId), "52:54:00:00:00:01", Optional.empty(), "127.0.0.1", "web01",
                "Linux", "0.1.0", false, Instant.now(), Instant.now(), Optional.empty(), Optional.of(startId));
    }

    private void awaitStarted(int n) throws InterruptedException {
        long until = System.nanoTime() + 10_000_000_000L;
        while (started.size() < n && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(started).hasSize(n);
    }

    @Test
    public void atMost100WaitPerMachineAndThe101stIsRefused_EXE11() {
        for (int i = 0; i < NextStartupService.MAX_PENDING; i++) {
            queue.queue(MACHINE, PACKAGE_SCENARIO, "admin");
        }
        assertThatThrownBy(() -> queue.queue(MACHINE, PACKAGE_SCENARIO, "admin"))
                .isInstanceOf(ConflictException.class)
                .hasMessage("Machine web01 already has 100 package scenarios waiting for its next startup (EXE-11):"
                        + " restart it so they run, or cancel some");
        assertThat(queue.pending(MACHINE)).hasSize(100);
        // Another machine has its own 100.
        TestDatabase.machineAndScenario(db, 3, "web03", 12, "Other");
        assertThat(queue.queue(3, PACKAGE_SCENARIO, "admin").machineId()).isEqualTo(3);
    }

    @Test
    public void onlyPackageScenariosOfKnownMachinesAreQueued_EXE11() {
        assertThatThrownBy(() -> queue.queue(MACHINE, BACKUP_SCENARIO, "admin"))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("scenarioId"))
                .hasMessageContaining("has no Package tab");
        assertThatThrownBy(() -> queue.queue(99, PACKAGE_SCENARIO, "admin")).isInstanceOf(NotFoundException.class)
                .hasMessage("No machine 99");
        assertThatThrownBy(() -> queue.queue(MACHINE, 77, "admin")).isInstanceOf(NotFoundException.class);
    }

    @Test
    public void pendingRunsAreListedAndCancellable_EXE11() {
        PendingRun a = queue.queue(MACHINE, PACKAGE_SCENARIO, "alice");
        PendingRun b = queue.queue(MACHINE, PACKAGE_SCENARIO, "bob");
        assertThat(queue.pending(MACHINE)).containsExactly(a, b);
        queue.cancel(MACHINE, a.id());
        assertThat(queue.pending(MACHINE)).containsExactly(b);
        assertThatThrownBy(() -> queue.cancel(MACHINE, a.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> queue.cancel(2, b.id())).as("another machine's entry").isInstanceOf(
                NotFoundException.class);
    }

    @Test
    public void theAgentsHelloStartsThemOneAtATimeOldestFirst_EXE11() throws Exception {
        PendingRun a = queue.queue(MACHINE, PACKAGE_SCENARIO, "alice");
        queue.queue(MACHINE, PACKAGE_SCENARIO, "bob");
        queue.connected(agent(MACHINE, true));
        queue.round();
        assertThat(started).as("a Deploy-OS agent does not start packages").isEmpty();

        queue.connected(agent(MACHINE, false));
        long until = System.nanoTime() + 10_000_000_000L;
        while ((started.isEmpty() || queue.pending(MACHINE).size() > 1) && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(started).hasSize(1);
        assertThat(started.get(0).scenarioId()).contains(PACKAGE_SCENARIO);
        assertThat(started.get(0).requestedBy()).isEqualTo("next startup (queued by alice)");
        assertThat(queue.pending(MACHINE)).extracting(PendingRun::queuedBy).containsExactly("bob");
        assertThat(queue.pending(MACHINE)).noneMatch(r -> r.id() == a.id());

        queue.round();
        assertThat(started).as("the machine still runs the first").hasSize(1);
        active.clear();
        queue.round();
        assertThat(started).hasSize(2);
        assertThat(queue.pending(MACHINE)).isEmpty();
    }

    @Test
    public void aConnectionThatCameBackIsNoStartButANewStartIdIs_EXE11() throws Exception {
        queue.queue(MACHINE, PACKAGE_SCENARIO, "alice");
        queue.connected(started(MACHINE, "start-one-0001"));
        awaitStarted(1);
        active.clear();

        // Queued after the start; the same process reconnects (a network break, this server restarted): no start.
        queue.queue(MACHINE, PACKAGE_SCENARIO, "bob");
        NextStartupQueue restarted = new NextStartupQueue(db, scenarios, executions,
                Clock.systemUTC(), 3600);
        try {
            restarted.connected(started(MACHINE, "start-one-0001"));
            queue.connected(started(MACHINE, "start-one-0001"));
            Thread.sleep(300);
            restarted.round();
            queue.round();
            assertThat(started).as("a reconnection of the same agent process").hasSize(1);
            assertThat(queue.pending(MACHINE)).extracting(PendingRun::queuedBy).containsExactly("bob");
        } finally {
            restarted.deactivate();
        }

        // The machine restarts: a new process, a new start id.
        queue.connected(started(MACHINE, "start-two-0002"));
        awaitStarted(2);
        assertThat(started.get(1).requestedBy()).isEqualTo("next startup (queued by bob)");
        assertThat(queue.pending(MACHINE)).isEmpty();
    }
}
