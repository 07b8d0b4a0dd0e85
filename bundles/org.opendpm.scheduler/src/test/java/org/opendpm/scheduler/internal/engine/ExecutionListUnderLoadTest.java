package org.opendpm.scheduler.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.execution.ResultQuery;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioOptions;
import org.opendpm.scheduler.internal.engine.StepTable.State;
import org.opendpm.spi.Step;

/**
 * The execution list read while the engine writes step changes, progress and ends in batches, on the real Derby
 * store: the list never fails and never holds the engine's writes up (found by the console benchmark: 1,000
 * executions of 20 steps, {@code GET /executions} answered 500 on a Derby deadlock).
 */
public class ExecutionListUnderLoadTest {

    private static final int EXECUTIONS = 100;
    private static final int STEPS = 20;
    /** Running executions owned by another server, so this engine's loop leaves them to the test's writer. */
    private static final String OTHER_NODE = "other-node";

    private EngineFixture f;
    private ExecutionEngine engine;
    private List<Long> ids;
    private List<Step> plan;

    @Before
    public void setUp() throws Exception {
        f = new EngineFixture();
        // Deadlocks are detected after 2 s (Derby's default is 20): the test sees them quickly, and a batch that
        // waited for one stands out from a batch slowed by a busy machine.
        f.database.inTransaction(c -> {
            try (var s = c.createStatement()) {
                s.execute("CALL SYSCS_UTIL.SYSCS_SET_DATABASE_PROPERTY('derby.locks.deadlockTimeout', '2')");
                s.execute("CALL SYSCS_UTIL.SYSCS_SET_DATABASE_PROPERTY('derby.locks.waitTimeout', '5')");
            }
            return null;
        });
        engine = f.startEngine();
        Scenario s = f.scenario("Twenty steps", "cmd", "true", ScenarioOptions.DEFAULT);
        List<ExecutionTable.NewExecution> rows = new ArrayList<>();
        for (int i = 0; i < EXECUTIONS; i++) {
            var m = f.machine("m" + i, i);
            rows.add(new ExecutionTable.NewExecution(m.id(), m.name(), s.id(), s.name(), ExecutionState.WAITING,
                    "test", ""));
        }
        plan = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            plan.add(new Step("agent.command", "Step " + (i + 1), Map.of("command", "true"), false, false));
        }
        Instant now = f.clock.instant();
        ids = f.database.inTransaction(c -> {
            long first = ExecutionTable.lockAndReserve(c, rows.size());
            ExecutionTable.insert(c, first, rows, now);
            List<Long> out = new ArrayList<>();
            for (long id = first; id < first + rows.size(); id++) {
                ExecutionTable.start(c, id, OTHER_NODE, now, now.plus(Duration.ofHours(1)));
                ExecutionTable.planned(c, id, STEPS);
                StepTable.insert(c, id, plan);
                out.add(id);
            }
            return out;
        });
    }

    @After
    public void tearDown() {
        f.close();
    }

    /**
     * One step of every execution, as the loop writes it: {@link StepBegins} (the last step's end, the next one's
     * begin, the execution's current step) in one transaction, then {@link StepReports} (progress) in another.
     */
    private void advanceAll(int index) {
        Instant now = f.clock.instant();
        f.database.inTransaction(c -> {
            for (long id : ids) {
                if (index > 0) {
                    StepTable.end(c, id, index - 1, State.DONE, "", now);
                }
                StepTable.begin(c, id, index, now);
                ExecutionTable.step(c, id, index + 1, plan.get(index).name());
            }
            return null;
        });
        f.database.inTransaction(c -> {
            for (long id : ids) {
                StepTable.progress(c, id, index, new ProgressRate.Snapshot(index + 1, STEPS, "steps", 1, 1), true);
            }
            return null;
        });
    }

    /** Every execution's end, as {@link ExecutionEnds} writes them: the row, the machine's status, the last step. */
    private void endAll() {
        Instant now = f.clock.instant();
        f.database.inTransaction(c -> {
            for (long id : ids) {
                ExecutionTable.end(c, id, ExecutionState.COMPLETED, "", now);
                StepTable.end(c, id, STEPS - 1, State.DONE, "", now);
            }
            return null;
        });
    }

    @Test
    public void listingNeverFailsNorHoldsUpTheEngineWhileItWritesInBatches() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Throwable> readFailures = new ConcurrentLinkedQueue<>();
        AtomicInteger lists = new AtomicInteger();
        Thread reader = new Thread(() -> {
            while (writing.get()) {
                try {
                    List<Execution> active = engine.active();
                    // Every row is whole: a state the engine wrote, its step among the planned ones.
                    assertThat(active).allSatisfy(e -> assertThat(e.step()).isBetween(0, STEPS));
                    // One execution and its steps are read committed, one row at a time: they may wait, not fail.
                    long one = ids.get(lists.get() % EXECUTIONS);
                    assertThat(engine.execution(one).step()).isBetween(0, STEPS);
                    assertThat(engine.steps(one)).hasSize(STEPS);
                    lists.incrementAndGet();
                } catch (Throwable t) {
                    readFailures.add(t);
                }
            }
        }, "execution-list");
        reader.start();
        List<Long> batchMillis = new ArrayList<>();
        List<Throwable> writeFailures = new ArrayList<>();
        try {
            for (int round = 0; round < 3; round++) {
                for (int step = 0; step < STEPS; step++) {
                    long t0 = System.nanoTime();
                    try {
                        advanceAll(step);
                    } catch (RuntimeException e) {
                        writeFailures.add(e);
                    }
                    batchMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                }
            }
            endAll();
        } finally {
            writing.set(false);
            reader.join(TimeUnit.SECONDS.toMillis(30));
        }
        long slowest = batchMillis.stream().mapToLong(Long::longValue).max().orElse(0);
        System.out.printf("ExecutionListUnderLoadTest: %d lists, %d failed; %d write batches, %d failed, "
                + "slowest %d ms%n", lists.get(), readFailures.size(), batchMillis.size(), writeFailures.size(),
                slowest);
        assertThat(readFailures).as("the list's failures").isEmpty();
        assertThat(writeFailures).as("the engine's failed batches").isEmpty();
        // A batch caught in a deadlock with the list waits for Derby's deadlock detection (2 s here, 20 s by default).
        assertThat(slowest).as("slowest write batch, ms").isLessThan(2000);
        assertThat(lists.get()).as("lists read").isPositive();
        assertThat(engine.active()).isEmpty();
        assertThat(engine.results(new ResultQuery(java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.empty(), java.util.Optional.empty(), 0, 1000)).total()).isEqualTo(EXECUTIONS);
    }
}
