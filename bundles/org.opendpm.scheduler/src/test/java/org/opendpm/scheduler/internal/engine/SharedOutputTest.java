package org.opendpm.scheduler.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioOptions;
import org.opendpm.scheduler.internal.TestTypes;

/** EXE-10: a scenario that writes the same image on every machine runs on one machine at a time. */
public class SharedOutputTest {

    private static final String REFUSAL = "Scenario Backup cannot run on several machines at once: it writes image"
            + " base.img on each; append the machine name, MAC or UUID to the image name";

    /** A tab that writes the image its "command" names on every machine; "unique" writes nothing shared. */
    static final class ImageWriter extends TestTypes.CommandTab {
        final List<String> askedOn = new CopyOnWriteArrayList<>();
        volatile RuntimeException failure;

        ImageWriter() {
            super("Image");
        }

        @Override
        public Optional<String> sharedOutput(Map<String, Object> settings) {
            askedOn.add(Thread.currentThread().getName());
            if (failure != null) {
                throw failure;
            }
            return "unique".equals(settings.get("command"))
                    ? Optional.empty()
                    : Optional.of("image " + settings.get("command"));
        }
    }

    private EngineFixture f;
    private ExecutionEngine engine;
    private final ImageWriter writer = new ImageWriter();

    @Before
    public void setUp() throws Exception {
        f = new EngineFixture();
        f.plugins.types.put("image", writer);
        engine = f.startEngine();
    }

    @After
    public void tearDown() {
        f.close();
    }

    private List<Execution> request(Scenario s, boolean allOrNone, Machine... machines) {
        return EngineFixture.request(engine, s, allOrNone, machines);
    }

    @Test
    public void severalMachinesInOneRequestAreRefusedAllOrNone() {
        Machine a = f.machine("a", 1);
        Machine b = f.machine("b", 2);
        Scenario backup = f.scenario("Backup", "image", "base.img", ScenarioOptions.DEFAULT);

        assertThatThrownBy(() -> request(backup, true, a, b)).isInstanceOf(ConflictException.class)
                .hasMessage(REFUSAL);

        assertThat(engine.active()).isEmpty();
        assertThat(f.scenarios.assignment(a.id())).isEmpty();
        // Asked on the plugin guard's threads, never on the caller's (which may hold a transaction).
        assertThat(writer.askedOn).isNotEmpty().allMatch(t -> t.startsWith("opendpm-plugin-call-"));
    }

    @Test
    public void oneMachineWhileAnotherRunsTheScenarioIsRefused() {
        Machine a = f.machine("a", 1);
        Machine b = f.machine("b", 2);
        Scenario backup = f.scenario("Backup", "image", "base.img", ScenarioOptions.DEFAULT);

        Execution first = request(backup, true, a).get(0);
        assertThat(first.state().finished()).isFalse();

        assertThatThrownBy(() -> request(backup, true, b)).isInstanceOf(ConflictException.class).hasMessage(REFUSAL);
        // Once the first has ended, the next machine may run it.
        engine.cancel(first.id(), "admin");
        assertThat(request(backup, true, b)).singleElement()
                .satisfies(e -> assertThat(e.state().finished()).isFalse());
    }

    @Test
    public void aScheduledBatchRecordsTheRefusedMachinesAsFailed() {
        Machine a = f.machine("a", 1);
        Machine b = f.machine("b", 2);
        Scenario backup = f.scenario("Backup", "image", "base.img", ScenarioOptions.DEFAULT);

        List<Execution> es = request(backup, false, a, b);

        assertThat(es).hasSize(2).allSatisfy(e -> {
            assertThat(e.state()).isEqualTo(ExecutionState.FAILED);
            assertThat(e.message()).isEqualTo(REFUSAL);
        });
        assertThat(engine.active()).isEmpty();
    }

    @Test
    public void aBatchRunsTheOneMachineNoOtherRunsItOn() {
        Machine a = f.machine("a", 1);
        Machine b = f.machine("b", 2);
        Machine c = f.machine("c", 3);
        Scenario backup = f.scenario("Backup", "image", "base.img", ScenarioOptions.DEFAULT);
        Execution running = request(backup, true, a).get(0);

        List<Execution> es = request(backup, false, b);
        assertThat(es.get(0).state()).isEqualTo(ExecutionState.FAILED);
        assertThat(es.get(0).message()).isEqualTo(REFUSAL);

        engine.cancel(running.id(), "admin");
        assertThat(request(backup, false, c).get(0).state()).isEqualTo(ExecutionState.WAITING);
    }

    @Test
    public void aScenarioThatWritesNothingSharedRunsOnManyMachines() {
        Machine a = f.machine("a", 1);
        Machine b = f.machine("b", 2);
        Scenario unique = f.scenario("Per machine", "image", "unique", ScenarioOptions.DEFAULT);
        Scenario other = f.scenario("Command", "cmd", "true", ScenarioOptions.DEFAULT);

        Machine c = f.machine("c", 3);
        Machine d = f.machine("d", 4);
        assertThat(request(unique, true, a, b)).hasSize(2).allMatch(e -> !e.state().finished());
        assertThat(request(other, true, c, d)).hasSize(2).allMatch(e -> !e.state().finished());
    }

    @Test
    public void aPluginThatCannotSayRefusesItsScenarioWithTheReason() {
        Machine a = f.machine("a", 1);
        Scenario backup = f.scenario("Backup", "image", "base.img", ScenarioOptions.DEFAULT);
        writer.failure = new IllegalStateException("settings unreadable");

        assertThatThrownBy(() -> request(backup, true, a)).isInstanceOf(ConflictException.class)
                .hasMessageStartingWith("Scenario Backup cannot be checked for running on several machines at once:")
                .hasMessageContaining("settings unreadable");
        List<Execution> batch = request(backup, false, a);
        assertThat(batch.get(0).state()).isEqualTo(ExecutionState.FAILED);
        assertThat(batch.get(0).message()).contains("settings unreadable");
    }
}
