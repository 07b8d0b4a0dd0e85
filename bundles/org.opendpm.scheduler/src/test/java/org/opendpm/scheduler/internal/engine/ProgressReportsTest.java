package org.opendpm.scheduler.internal.engine;

import static org.opendpm.scheduler.internal.engine.EngineFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendpm.api.execution.ExecuteRequest;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.execution.ExecutionStep;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioOptions;
import org.opendpm.scheduler.internal.TestTypes;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;

/** IMG-6: a step's bytes, per cent, rate and ETA in the execution list, and its figures in the result. */
public class ProgressReportsTest {

    private static final long MIB = 1 << 20;

    /** Carries out the "cmd" type's agent-command steps by reporting bytes the test gives. */
    static final class Copy implements StepExecutor {
        volatile StepContext context;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        @Override
        public CompletionStage<Void> execute(StepContext ctx) {
            context = ctx;
            return done;
        }
    }

    private EngineFixture f;
    private ExecutionEngine engine;
    private final Copy copy = new Copy();

    @Before
    public void setUp() throws Exception {
        f = new EngineFixture();
        f.plugins.types.put("copy", new TestTypes.Command(1, false));
        f.plugins.stepExecutors.put(StepExecutor.AGENT_COMMAND, copy);
        engine = f.startEngine();
    }

    @After
    public void tearDown() {
        f.close();
    }

    @Test
    public void theExecutionListShowsBytesPercentRateAndEtaAndTheResultKeepsTheFigures() {
        Machine m = f.machine("m1", 1);
        Scenario s = f.scenario("Copy", "copy", "copy", ScenarioOptions.DEFAULT);
        long id = engine.execute(new ExecuteRequest(List.of(m.id()), Optional.of(s.id()), true, "admin")).get(0).id();
        eventually(() -> copy.context != null, "the step started");

        copy.context.progress(0, 100 * MIB, "bytes");
        eventually(() -> engine.execution(id).stepProgress().isPresent(), "the first report stored");
        assertThat(engine.execution(id).stepProgress().get().rate()).isEqualTo(-1);

        f.clock.advance(Duration.ofSeconds(2));
        copy.context.progress(20 * MIB, 100 * MIB, "bytes");
        eventually(() -> engine.execution(id).stepProgress().get().done() == 20 * MIB, "the second report");
        Execution e = engine.execution(id);
        ExecutionStep.Progress p = e.stepProgress().get();
        assertThat(p.rate()).isEqualTo(10 * MIB);
        assertThat(p.etaSeconds()).isEqualTo(8);
        assertThat(e.progress()).contains(20);
        assertThat(engine.active()).singleElement().satisfies(a -> assertThat(a.stepProgress()).contains(p));
        assertThat(engine.steps(id).get(0).progress()).contains(p);

        f.clock.advance(Duration.ofSeconds(3));
        copy.context.progress(100 * MIB, 100 * MIB, "bytes");
        copy.done.complete(null);
        eventually(() -> engine.execution(id).state() == ExecutionState.COMPLETED, "completed");
        assertThat(engine.execution(id).message()).isEqualTo("Agent command: 100.0 MiB in 5 s, 20.0 MiB/s on"
                + " average");
        // The last report, made after the last tick, is stored too.
        eventually(() -> engine.steps(id).get(0).progress().get().done() == 100 * MIB, "the final report stored");
    }

}
