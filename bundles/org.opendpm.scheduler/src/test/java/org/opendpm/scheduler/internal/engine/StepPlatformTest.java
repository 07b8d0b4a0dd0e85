package org.opendpm.scheduler.internal.engine;

import static org.opendpm.scheduler.internal.engine.EngineFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendpm.api.agent.CommandResult;
import org.opendpm.api.execution.ExecuteRequest;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.execution.ExecutionStep;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioOptions;
import org.opendpm.scheduler.internal.FakeAgentLink.Request;
import org.opendpm.scheduler.internal.TestPlugins;
import org.opendpm.scheduler.internal.power.PowerDrivers;
import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.PowerState;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;

/**
 * The scenario platform: plugin steps carried out by step executors, plugins called through the guard, durable steps
 * that a restarted engine resumes, cancel reaching the agent, power drivers chosen by model.
 */
public class StepPlatformTest {

    private EngineFixture f;
    private ExecutionEngine engine;

    /** A scenario type whose plan the test gives. */
    private static final class Scripted implements ScenarioType {
        final Function<PlanTarget, List<Step>> planner;

        Scripted(Function<PlanTarget, List<Step>> planner) {
            this.planner = planner;
        }

        @Override
        public String displayName() {
            return "Scripted";
        }

        @Override
        public int settingsVersion() {
            return 1;
        }

        @Override
        public String settingsSchema() {
            return "{\"type\":\"object\"}";
        }

        @Override
        public boolean needsDeployOs() {
            return false;
        }

        @Override
        public List<SettingViolation> validate(Map<String, Object> settings) {
            return List.of();
        }

        @Override
        public List<Step> plan(Map<String, Object> settings, PlanTarget target) {
            return planner.apply(target);
        }
    }

    @Before
    public void setUp() throws Exception {
        f = new EngineFixture();
        f.pluginCallBound = Duration.ofSeconds(2);
        f.settings.limit(10);
        engine = f.startEngine();
    }

    @After
    public void tearDown() {
        f.close();
    }

    private Execution run(Scenario s, Machine m) {
        return engine.execute(new ExecuteRequest(List.of(m.id()), Optional.of(s.id()), true, "admin")).get(0);
    }

    private Scenario scenario(String name, ScenarioType type) {
        String key = name.toLowerCase(java.util.Locale.ROOT);
        f.plugins.types.put(key, type);
        return f.scenario(name, key, "unused", ScenarioOptions.DEFAULT);
    }

    private Execution awaitState(long id, ExecutionState state) {
        eventually(() -> engine.execution(id).state() == state, "execution " + id + " " + state);
        return engine.execution(id);
    }

    @Test
    public void aPluginStepRunsThroughItsExecutorWithProgressAndLogKept() {
        CompletableFuture<Void> release = new CompletableFuture<>();
        f.plugins.stepExecutors.put("acme-flash", new StepExecutor() {
            @Override
            public CompletionStage<Void> execute(StepContext context) {
                context.progress(3, 10, "blocks");
                context.log("flashing " + context.step().parameters().get("image"));
                return release;
            }
        });
        Machine m = f.machine("m1", 1);
        Scenario s = scenario("Flash", new Scripted(t -> List.of(
                Step.of("acme-flash", "Flash BIOS", Map.of("image", "bios.img")))));
        Execution e = run(s, m);
        eventually(() -> engine.steps(e.id()).stream().anyMatch(st -> st.progress().isPresent()), "progress stored");
        ExecutionStep step = engine.steps(e.id()).get(0);
        assertThat(step.name()).isEqualTo("Flash BIOS");
        assertThat(step.executor()).isEqualTo("acme-flash");
        assertThat(step.state()).isEqualTo(ExecutionStep.State.RUNNING);
        assertThat(step.progress()).contains(new ExecutionStep.Progress(3, 10, "blocks"));
        assertThat(engine.execution(e.id()).stepName()).isEqualTo("Flash BIOS");
        eventually(() -> !engine.log(e.id()).isEmpty(), "log written while the step runs");
        release.complete(null);
        awaitState(e.id(), ExecutionState.COMPLETED);
        assertThat(engine.steps(e.id()).get(0).state()).isEqualTo(ExecutionStep.State.DONE);
        assertThat(engine.log(e.id())).extracting(ExecutionStep.LogLine::line).contains("flashing bios.img");
    }

    /** HWS-2: a step that waits on the machine says what the time-out means, and the result says it. */
    @Test
    public void theTimeOutOfAStepThatExplainedItSaysWhatTheMachineMayStillBeDoing() {
        List<Boolean> stopped = new java.util.concurrent.CopyOnWriteArrayList<>();
        f.plugins.stepExecutors.put("acme-flash", context -> {
            context.explainTimeout("first words");
            context.explainTimeout("the machine may still be flashing: do not power it off");
            context.onStop(() -> stopped.add(true));
            return new CompletableFuture<Void>();
        });
        Machine m = f.machine("m1", 1);
        Scenario s = scenario("Flash", new Scripted(t -> List.of(
                Step.of("acme-flash", "Flash BIOS", Map.of("image", "bios.img")))));
        Execution e = run(s, m);
        eventually(() -> engine.steps(e.id()).stream().anyMatch(st -> st.state() == ExecutionStep.State.RUNNING),
                "the step runs");
        f.clock.advance(Duration.ofMinutes(121));
        Execution timedOut = awaitState(e.id(), ExecutionState.TIMED_OUT);
        assertThat(timedOut.message()).isEqualTo("Not finished within 120 minutes; stopped at step 1 of 1 (Flash"
                + " BIOS): the machine may still be flashing: do not power it off");
        eventually(() -> !stopped.isEmpty(), "the step's stop action ran");
    }

    @Test
    public void aPlanWhoseExecutorIsNotInstalledFailsNamingIt() {
        Machine m = f.machine("m1", 1);
        Scenario s = scenario("Ghost", new Scripted(t -> List.of(Step.of("nowhere", "Ghost step", Map.of()))));
        Execution e = awaitState(run(s, m).id(), ExecutionState.FAILED);
        assertThat(e.message()).contains("step executor 'nowhere'").contains("not installed");
    }

    @Test
    public void aPluginThatHangsInPlanDelaysNoOtherExecutionAndFailsItsOwn() {
        CountDownLatch never = new CountDownLatch(1);
        Scenario hangs = scenario("Hangs", new Scripted(t -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of();
        }));
        Scenario throwsUp = scenario("Throws", new Scripted(t -> {
            throw new IllegalStateException("plugin bug");
        }));
        Scenario quick = scenario("Quick", new Scripted(t -> List.of(ExecutionPlan.powerOff())));
        Machine a = f.machine("a", 1);
        Machine b = f.machine("b", 2);
        Machine c = f.machine("c", 3);
        long started = System.nanoTime();
        Execution hung = run(hangs, a);
        Execution thrown = run(throwsUp, b);
        Execution ok = run(quick, c);
        awaitState(ok.id(), ExecutionState.COMPLETED);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("quick execution beside a hung plugin")
                .isLessThan(Duration.ofSeconds(2));
        assertThat(awaitState(thrown.id(), ExecutionState.FAILED).message()).contains("plugin bug");
        assertThat(awaitState(hung.id(), ExecutionState.FAILED).message()).contains("did not return within 2 s");
        assertThat(f.inventory.machine(c.id()).status()).isEqualTo(MachineStatus.NONE);
    }

    @Test
    public void aStepExecutorThatHangsFailsOnlyItsExecution() {
        f.plugins.stepExecutors.put("stuck", context -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        Machine a = f.machine("a", 1);
        Machine b = f.machine("b", 2);
        Execution stuck = run(scenario("Stuck", new Scripted(t -> List.of(Step.of("stuck", "Stuck", Map.of())))), a);
        Execution fine = run(scenario("Fine", new Scripted(t -> List.of(ExecutionPlan.powerOff()))), b);
        awaitState(fine.id(), ExecutionState.COMPLETED);
        assertThat(awaitState(stuck.id(), ExecutionState.FAILED).message())
                .isEqualTo("Step 1 of 1 (Stuck) failed: Step executor 'stuck' did not return within 2 s");
    }

    @Test
    public void aResumableStepIsCarriedOutAgainAfterARestart() {
        Machine m = f.machine("m1", 1);
        Scenario s = scenario("Wait", new Scripted(t -> List.of(ExecutionPlan.waitForAgent(false))));
        Execution e = run(s, m);
        eventually(() -> engine.steps(e.id()).size() == 1
                && engine.steps(e.id()).get(0).state() == ExecutionStep.State.RUNNING, "the wait runs");
        f.stopEngine(engine);

        engine = f.startEngine();
        eventually(() -> engine.steps(e.id()).get(0).attempts() == 2, "the step begun again");
        assertThat(engine.execution(e.id()).state()).isEqualTo(ExecutionState.RUNNING);
        eventually(
                () -> engine.log(e.id()).stream().anyMatch(l -> l.line().equals("Resumed after the server restarted")),
                "the resumption logged");
        f.agents.connect(m.id(), false);
        awaitState(e.id(), ExecutionState.COMPLETED);
        assertThat(f.inventory.machine(m.id()).status()).isEqualTo(MachineStatus.NONE);
    }

    @Test
    public void cancelStopsTheStepAndCancelsWhatItAskedOfTheAgent() throws Exception {
        Machine m = f.machine("m1", 1);
        f.agents.connect(m.id(), false);
        Execution e = run(f.scenario("Cmd", "cmd", "sleep 600", ScenarioOptions.DEFAULT), m);
        Request<CommandResult> command = f.agents.commands.poll(10, TimeUnit.SECONDS);
        assertThat(command).isNotNull();
        engine.cancel(e.id(), "operator1");
        eventually(() -> command.answer().isCancelled(), "the agent request cancelled");
        assertThat(engine.steps(e.id()).get(0).state()).isEqualTo(ExecutionStep.State.STOPPED);
    }

    @Test
    public void aMachineModelPreferringADriverUsesItAndTheDriverReportsState() throws Exception {
        f.plugins.modelPowerDrivers.put("Acme 1000", List.of("ipmi", "fake"));
        TestPlugins.SimulatedPower fake = (TestPlugins.SimulatedPower) f.plugins.powerDrivers.get("fake");
        PowerDrivers drivers = new PowerDrivers(f.plugins, f.agents, f.powerSettings,
                EngineFixture.powerConfig("wol", "127.0.0.1", 9));
        try {
            var acme = new PowerDrivers.Machine(1, "acme", "02:00:00:00:00:09", Optional.empty(),
                    Optional.of("Acme 1000"));
            var other = new PowerDrivers.Machine(2, "other", "02:00:00:00:00:0a", Optional.empty(),
                    Optional.of("Other"));
            assertThat(drivers.driverKey(acme)).as("ipmi is not installed; fake is next").isEqualTo("fake");
            assertThat(drivers.driverKey(other)).isEqualTo("wol");
            assertThat(drivers.state(acme).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(PowerState.OFF);
            drivers.set(acme, PowerOperation.ON).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(drivers.state(acme).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(PowerState.ON);
            assertThat(fake.states).containsEntry("02:00:00:00:00:09", PowerState.ON);
        } finally {
            drivers.deactivate();
        }
    }
}
