package org.opendpm.scheduler.internal.engine;

import static org.opendpm.scheduler.internal.engine.EngineFixture.eventually;
import org.opendpm.scheduler.internal.*;
import org.opendpm.scheduler.internal.scenario.*;
import org.opendpm.scheduler.internal.power.*;
import org.opendpm.scheduler.internal.files.*;
import org.opendpm.scheduler.internal.images.*;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.CommandResult;
import org.opendpm.api.boot.NextBootKind;
import org.opendpm.api.execution.ExecuteRequest;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.execution.ResultQuery;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.inventory.NetworkSetting;
import org.opendpm.api.inventory.PowerState;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioOptions;
import org.opendpm.scheduler.internal.FakeAgentLink.Request;

/** The execution engine as a persistent state machine (EXE-1 to EXE-9, SCH-4). */
public class ExecutionEngineTest {

    private EngineFixture f;
    private ExecutionEngine engine;

    @Before
    public void setUp() throws Exception {
        f = new EngineFixture();
        engine = f.startEngine();
    }

    @After
    public void tearDown() {
        f.close();
    }

    private List<Execution> run(Scenario s, Machine... machines) {
        return engine.execute(new ExecuteRequest(java.util.Arrays.stream(machines).map(Machine::id).toList(),
                Optional.of(s.id()), true, "admin"));
    }

    private Request<CommandResult> nextCommand() throws InterruptedException {
        Request<CommandResult> r = f.agents.commands.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a command sent to an agent").isNotNull();
        return r;
    }

    private Execution awaitState(long id, ExecutionState state) {
        eventually(() -> engine.execution(id).state() == state, "execution " + id + " " + state);
        return engine.execution(id);
    }

    /**
     * Moves the clock on by 11 minutes (past the Remote Power ON Timeout) until the execution fails: the engine sets
     * its wait a moment after the execution starts, and a wait set after the move would not be past due.
     */
    private Execution advanceUntilFailed(long id) {
        for (int i = 0; i < 5; i++) {
            f.clock.advance(Duration.ofMinutes(11));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < end) {
                if (engine.execution(id).state() == ExecutionState.FAILED) {
                    return engine.execution(id);
                }
                sleep(20);
            }
        }
        throw new AssertionError("execution " + id + " did not fail; it is " + engine.execution(id));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    public void exe1CommandScenarioRunsThroughTheAgentAndCompletes() throws Exception {
        Machine m = f.machine("web01", 1);
        f.agents.connect(m.id(), false);
        Scenario s = f.scenario("Install nginx", "cmd", "apt-get install -y nginx", ScenarioOptions.DEFAULT);

        Execution e = run(s, m).get(0);
        assertThat(e.machineName()).isEqualTo("web01");
        Request<CommandResult> command = nextCommand();
        assertThat(command.what()).isEqualTo("apt-get install -y nginx");
        Execution running = engine.execution(e.id());
        assertThat(running.state()).isEqualTo(ExecutionState.RUNNING);
        assertThat(running.stepName()).isEqualTo("Agent command");
        assertThat(f.inventory.machine(m.id()).status()).isEqualTo(MachineStatus.SCENARIO_EXECUTING);
        assertThat(engine.active()).extracting(Execution::id).containsExactly(e.id());

        command.answer().complete(new CommandResult(0, "done\n"));
        Execution done = awaitState(e.id(), ExecutionState.COMPLETED);
        assertThat(done.startedAt()).isPresent();
        assertThat(done.endedAt()).isPresent();
        assertThat(f.inventory.machine(m.id()).status()).isEqualTo(MachineStatus.NONE);
        assertThat(engine.active()).isEmpty();
        assertThat(engine.results(new ResultQuery(Optional.of(m.id()), Optional.empty(), Optional.empty(),
                Optional.empty(), 0, 10)).results()).extracting(Execution::id).containsExactly(e.id());
        assertThat(f.scenarios.assignment(m.id()).orElseThrow().scenarioId()).isEqualTo(s.id());
    }

    @Test
    public void exe4AtMostTheSimultaneousLimitRunTheOthersWait() throws Exception {
        f.settings.limit(2);
        Scenario s = f.scenario("Patch", "cmd", "patch", ScenarioOptions.DEFAULT);
        Machine a = f.machine("a", 1);
        Machine b = f.machine("b", 2);
        Machine c = f.machine("c", 3);
        for (Machine m : List.of(a, b, c)) {
            f.agents.connect(m.id(), false);
        }
        List<Execution> es = run(s, a, b, c);

        Request<CommandResult> first = nextCommand();
        Request<CommandResult> second = nextCommand();
        assertThat(f.agents.commands.poll(300, TimeUnit.MILLISECONDS)).as("the third waits").isNull();
        assertThat(engine.execution(es.get(2).id()).state()).isEqualTo(ExecutionState.WAITING);

        first.answer().complete(new CommandResult(0, ""));
        Request<CommandResult> third = nextCommand();
        assertThat(third.machineId()).isEqualTo(c.id());
        second.answer().complete(new CommandResult(0, ""));
        third.answer().complete(new CommandResult(0, ""));
        for (Execution e : es) {
            awaitState(e.id(), ExecutionState.COMPLETED);
        }
    }

    @Test
    public void exe4AFullBatchStartsTogetherBeyondThePluginCallThreads() throws Exception {
        // More executions start at once than the guard has threads for planning and starting steps (64): each must
        // wait its turn, none may fail for it.
        int n = 300;
        f.settings.limit(n);
        Scenario s = f.scenario("Batch", "cmd", "true", ScenarioOptions.DEFAULT);
        Machine[] machines = new Machine[n];
        for (int i = 0; i < n; i++) {
            machines[i] = f.machine("m" + i, i + 1);
            f.agents.connect(machines[i].id(), false);
        }
        List<Execution> es = run(s, machines);
        for (int i = 0; i < n; i++) {
            nextCommand().answer().complete(new CommandResult(0, ""));
        }
        for (Execution e : es) {
            awaitState(e.id(), ExecutionState.COMPLETED);
        }
    }

    @Test
    public void exe8AFailedCommandLeavesAnErrorThatRemoveErrorClears() throws Exception {
        Machine m = f.machine("db01", 1);
        f.agents.connect(m.id(), false);
        Scenario s = f.scenario("Fails", "cmd", "false", ScenarioOptions.DEFAULT);
        Execution e = run(s, m).get(0);
        nextCommand().answer().complete(new CommandResult(3, "line 1\ndisk full\n"));

        Execution failed = awaitState(e.id(), ExecutionState.FAILED);
        assertThat(failed.message()).isEqualTo(
                "Step 1 of 1 (Agent command) failed: command exited with code 3 (expected 0): disk full");
        assertThat(f.inventory.machine(m.id()).status()).isEqualTo(MachineStatus.SCENARIO_EXECUTION_ERROR);
        assertThatThrownBy(() -> run(s, m)).isInstanceOf(ConflictException.class)
                .hasMessage("Machine db01 is in \"Scenario Execution Error\"; use Remove Error before executing again");

        assertThat(engine.removeError(m.id())).isTrue();
        assertThat(engine.removeError(m.id())).isFalse();
        Execution again = run(s, m).get(0);
        nextCommand().answer().complete(new CommandResult(0, ""));
        awaitState(again.id(), ExecutionState.COMPLETED);
    }

    @Test
    public void anAgentLostMidExecutionEndsItWithTheReason() throws Exception {
        Machine m = f.machine("web02", 1);
        f.agents.connect(m.id(), false);
        Execution e = run(f.scenario("Long", "cmd", "sleep 600", ScenarioOptions.DEFAULT), m).get(0);
        nextCommand();
        f.agents.disconnect(m.id(), "heartbeat lost");
        Execution failed = awaitState(e.id(), ExecutionState.FAILED);
        assertThat(failed.message()).contains("agent connection lost: heartbeat lost");
        assertThat(f.inventory.machine(m.id()).status()).isEqualTo(MachineStatus.SCENARIO_EXECUTION_ERROR);
    }

    @Test
    public void aMachineWithoutAgentIsPoweredOnAndTheCommandRunsOnceItsAgentConnects() throws Exception {
        Machine m = f.machine("off01", 1);
        Execution e = run(f.scenario("Cmd", "cmd", "true", ScenarioOptions.DEFAULT), m).get(0);
        assertThat(f.agents.commands.poll(300, TimeUnit.MILLISECONDS)).as("no agent yet").isNull();
        assertThat(engine.execution(e.id()).state()).isEqualTo(ExecutionState.RUNNING);
        f.agents.connect(m.id(), false);
        nextCommand().answer().complete(new CommandResult(0, ""));
        awaitState(e.id(), ExecutionState.COMPLETED);
    }

    @Test
    public void sch4AMachineWhoseAgentNeverComesEndsInRemotePowerOnError() {
        Machine m = f.machine("off02", 1);
        Execution e = run(f.scenario("Cmd", "cmd", "true", ScenarioOptions.DEFAULT), m).get(0);
        Execution failed = advanceUntilFailed(e.id());
        assertThat(failed.message()).isEqualTo("Step 1 of 1 (Agent command) failed: Remote Power ON Error: machine "
                + "off02 did not come up within 10 minutes");
        assertThat(f.inventory.machine(m.id()).status()).isEqualTo(MachineStatus.REMOTE_POWER_ON_ERROR);
    }

    @Test
    public void aMachineThatIsOnWaitsForItsAgentWithoutPowerOn() {
        Machine m = f.machine("on01", 1);
        f.inventory.setPowerState(m.id(), PowerState.ON);
        Execution e = run(f.scenario("Cmd", "cmd", "true", ScenarioOptions.DEFAULT), m).get(0);
        Execution failed = advanceUntilFailed(e.id());
        assertThat(failed.message()).isEqualTo("Step 1 of 1 (Agent command) failed: the agent of machine on01 did "
                + "not connect");
        assertThat(f.inventory.machine(m.id()).status()).isEqualTo(MachineStatus.SCENARIO_EXECUTION_ERROR);
    }

    @Test
    public void exe5AScenarioPastItsTimeOutEndsTimedOut() throws Exception {
        Machine m = f.machine("slow", 1);
        f.agents.connect(m.id(), false);
        Execution e = run(f.scenario("Slow", "cmd", "sleep 9999", ScenarioOptions.DEFAULT), m).get(0);
        Request<CommandResult> command = nextCommand();
        f.clock.advance(Duration.ofMinutes(121));
        Execution timedOut = awaitState(e.id(), ExecutionState.TIMED_OUT);
        assertThat(timedOut.message()).isEqualTo(
                "Not finished within 120 minutes; stopped at step 1 of 1 (Agent command)");
        // The late answer changes nothing.
        command.answer().complete(new CommandResult(0, ""));
        Thread.sleep(200);
        assertThat(engine.execution(e.id()).state()).isEqualTo(ExecutionState.TIMED_OUT);
        assertThat(f.inventory.machine(m.id()).status()).isEqualTo(MachineStatus.SCENARIO_EXECUTION_ERROR);
    }

    @Test
    public void aRestartEndsRunningExecutionsWithAnErrorAndStartsTheWaitingOnes() throws Exception {
        f.settings.limit(1);
        Machine a = f.machine("a", 1);
        Machine b = f.machine("b", 2);
        f.agents.connect(a.id(), false);
        f.agents.connect(b.id(), false);
        List<Execution> es = run(f.scenario("Cmd", "cmd", "work", ScenarioOptions.DEFAULT), a, b);
        nextCommand();
        f.stopEngine(engine);
        f.agents.commands.clear();

        engine = f.startEngine();
        Execution left = awaitState(es.get(0).id(), ExecutionState.FAILED);
        assertThat(left.message()).startsWith("The server stopped during step 1 of 1 (Agent command), which cannot be "
                + "carried out again");
        assertThat(engine.steps(left.id())).singleElement().satisfies(st -> {
            assertThat(st.state()).isEqualTo(org.opendpm.api.execution.ExecutionStep.State.FAILED);
            assertThat(st.message()).contains("step 1 of 1 (Agent command)");
        });
        assertThat(f.inventory.machine(a.id()).status()).isEqualTo(MachineStatus.SCENARIO_EXECUTION_ERROR);
        Request<CommandResult> resumed = nextCommand();
        assertThat(resumed.machineId()).isEqualTo(b.id());
        resumed.answer().complete(new CommandResult(0, ""));
        awaitState(es.get(1).id(), ExecutionState.COMPLETED);
    }

    @Test
    public void preconditionsRefuseTheWholeRequestAndChangeNothing() {
        Machine ok = f.machine("ok", 1);
        Machine bare = f.machine("bare", 2, "ia32_999999_99");
        Scenario deploy = f.scenario("Backup", "deploy", "backup", ScenarioOptions.DEFAULT);
        Scenario cmd = f.scenario("Cmd", "cmd", "true", ScenarioOptions.DEFAULT);

        // EXE-3: no Deploy-OS for the machine.
        assertThatThrownBy(() -> run(deploy, bare)).isInstanceOf(ConflictException.class)
                .hasMessageStartingWith("Machine bare has no Deploy-OS: \"ia32_999999_99\" (by explicit) is provided by"
                        + " no Deploy-OS plugin");
        // EXE-2: powered on, no forced reboot.
        f.inventory.setPowerState(ok.id(), PowerState.ON);
        assertThatThrownBy(() -> run(deploy, ok)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("Machine ok is powered on; scenario Backup boots the Deploy-OS");
        // Nothing assigned.
        assertThatThrownBy(() -> engine.execute(new ExecuteRequest(List.of(ok.id()), Optional.empty(), true, "a")))
                .isInstanceOf(ConflictException.class).hasMessage("No scenario is assigned to machine ok");
        // A plugin gone.
        f.plugins.types.remove("cmd");
        assertThatThrownBy(() -> run(cmd, ok)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("Scenario Cmd cannot be executed: plugin unavailable: cmd");
        assertThatThrownBy(() -> engine.execute(new ExecuteRequest(List.of(), Optional.of(cmd.id()), true, "a")))
                .isInstanceOf(ValidationException.class).hasMessageContaining("At least one machine");

        assertThat(engine.active()).isEmpty();
        assertThat(f.scenarios.assignment(ok.id())).isEmpty();
        assertThat(f.scenarios.assignment(bare.id())).isEmpty();
    }

    @Test
    public void aScheduledBatchRecordsRefusedMachinesAsFailedAndRunsTheOthers() throws Exception {
        Machine ok = f.machine("ok", 1);
        Machine bare = f.machine("bare", 2, "ia32_999999_99");
        Scenario deploy = f.scenario("Restore", "deploy", "restore", new ScenarioOptions(true, false));
        f.agents.connect(ok.id(), false);
        f.inventory.setPowerState(ok.id(), PowerState.ON);

        List<Execution> es = engine.execute(new ExecuteRequest(List.of(ok.id(), bare.id()), Optional.of(deploy.id()),
                false, "schedule:7"));
        assertThat(es.get(1).state()).isEqualTo(ExecutionState.FAILED);
        assertThat(es.get(1).message()).startsWith("Machine bare has no Deploy-OS");
        assertThat(es.get(1).requestedBy()).isEqualTo("schedule:7");

        // Forced reboot (EXE-2): boot intent Deploy-OS, the running agent is asked to reboot.
        var reboot = f.agents.powerRequests.poll(10, TimeUnit.SECONDS);
        assertThat(reboot.what()).isEqualTo("REBOOT");
        assertThat(f.bootIntents.intents.get(ok.id()).kind()).isEqualTo(NextBootKind.DEPLOY_OS);
        reboot.answer().complete(null);
        assertThat(engine.execution(es.get(0).id()).stepName()).isEqualTo("Reboot into Deploy-OS");
        f.agents.disconnect(ok.id(), "rebooting");
        f.agents.connect(ok.id(), true);

        nextCommand().answer().complete(new CommandResult(0, ""));
        // Back to the local disk: intent cleared, the Deploy-OS reboots.
        var back = f.agents.powerRequests.poll(10, TimeUnit.SECONDS);
        assertThat(back.what()).isEqualTo("REBOOT");
        back.answer().complete(null);
        awaitState(es.get(0).id(), ExecutionState.COMPLETED);
        assertThat(f.bootIntents.intents).doesNotContainKey(ok.id());
    }

    @Test
    public void sch4AMachineThatDoesNotComeUpEndsInRemotePowerOnError() {
        Machine m = f.machine("cold", 1);
        Execution e = run(f.scenario("Backup", "deploy", "backup", ScenarioOptions.DEFAULT), m).get(0);
        Execution failed = advanceUntilFailed(e.id());
        assertThat(failed.message()).isEqualTo("Step 1 of 3 (Reboot into Deploy-OS) failed: Remote Power ON Error: "
                + "machine cold did not come up in its Deploy-OS within 10 minutes");
        assertThat(f.inventory.machine(m.id()).status()).isEqualTo(MachineStatus.REMOTE_POWER_ON_ERROR);
        assertThat(engine.removeError(m.id())).isTrue();
    }

    @Test
    public void cancelEndsARunningExecutionAsStopped() throws Exception {
        Machine m = f.machine("m", 1);
        f.agents.connect(m.id(), false);
        Execution e = run(f.scenario("Cmd", "cmd", "sleep 60", ScenarioOptions.DEFAULT), m).get(0);
        nextCommand();
        Execution cancelled = engine.cancel(e.id(), "operator1");
        assertThat(cancelled.state()).isEqualTo(ExecutionState.CANCELLED);
        assertThat(cancelled.message()).isEqualTo("Cancelled by operator1 at step 1 of 1 (Agent command)");
        assertThat(f.inventory.machine(m.id()).status()).isEqualTo(MachineStatus.SCENARIO_EXECUTION_STOP);
        assertThatThrownBy(() -> engine.cancel(e.id(), "x")).isInstanceOf(ConflictException.class);
    }

    @Test
    public void powerOffAfterExecutionShutsTheMachineDownThroughItsPowerControl() throws Exception {
        Machine m = f.machine("m", 1);
        f.agents.connect(m.id(), false);
        Execution e = run(f.scenario("Cmd", "cmd", "true", new ScenarioOptions(false, true)), m).get(0);
        nextCommand().answer().complete(new CommandResult(0, ""));
        awaitState(e.id(), ExecutionState.COMPLETED);
        assertThat(engine.execution(e.id()).steps()).isEqualTo(2);
        assertThat(f.inventory.machine(m.id()).powerState()).isEqualTo(PowerState.OFF);
    }

    @Test
    public void exe7ResultsFilterByMachineScenarioAndTimeAndRefuseBadPages() throws Exception {
        Machine a = f.machine("a", 1);
        Machine b = f.machine("b", 2);
        f.agents.connect(a.id(), false);
        f.agents.connect(b.id(), false);
        Scenario s = f.scenario("Cmd", "cmd", "true", ScenarioOptions.DEFAULT);
        List<Execution> es = run(s, a, b);
        // Executions are planned side by side, so their commands may come in either order.
        for (int i = 0; i < 2; i++) {
            Request<CommandResult> r = nextCommand();
            r.answer().complete(new CommandResult(r.machineId() == a.id() ? 0 : 1, ""));
        }
        awaitState(es.get(0).id(), ExecutionState.COMPLETED);
        awaitState(es.get(1).id(), ExecutionState.FAILED);

        var all = engine.results(new ResultQuery(Optional.empty(), Optional.of(s.id()), Optional.empty(),
                Optional.empty(), 0, 100));
        assertThat(all.total()).isEqualTo(2);
        assertThat(engine.results(new ResultQuery(Optional.of(b.id()), Optional.empty(), Optional.empty(),
                Optional.empty(), 0, 100)).results()).extracting(Execution::state)
                .containsExactly(ExecutionState.FAILED);
        Instant later = f.clock.instant().plusSeconds(3600);
        assertThat(engine.results(new ResultQuery(Optional.empty(), Optional.empty(), Optional.of(later),
                Optional.empty(), 0, 100)).total()).isZero();
        assertThatThrownBy(() -> engine.results(new ResultQuery(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), 0, 1001))).isInstanceOf(ValidationException.class).hasMessageContaining("1001");

        // By end state and by the machines' group: the Result List's filters in the console.
        assertThat(engine.results(new ResultQuery(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), 0, 100, Optional.empty(), Optional.of(ExecutionState.COMPLETED))).results())
                .extracting(Execution::machineId).containsExactly(a.id());
        assertThat(engine.results(new ResultQuery(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), 0, 100, Optional.of(f.group), Optional.of(ExecutionState.FAILED))).total())
                .isEqualTo(1);
        long otherGroup = f.inventory.createGroup("/elsewhere", NetworkSetting.SAME_SUBNET).id();
        assertThat(engine.results(new ResultQuery(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), 0, 100, Optional.of(otherGroup), Optional.empty())).total()).isZero();
        assertThat(engine.results(new ResultQuery(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), 0, 100, Optional.empty(), Optional.of(ExecutionState.RUNNING))).total()).isZero();
    }

    @Test
    public void twoRequestsForOneMachineStartItOnce() throws Exception {
        Machine m = f.machine("m", 1);
        f.agents.connect(m.id(), false);
        Scenario s = f.scenario("Cmd", "cmd", "true", ScenarioOptions.DEFAULT);
        run(s, m);
        assertThatThrownBy(() -> run(s, m)).isInstanceOf(ConflictException.class)
                .hasMessage("Machine m is executing a scenario");
    }
}
