package org.opendpm.scheduler.internal.engine;

import static org.opendpm.scheduler.internal.engine.EngineFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.execution.ExecuteRequest;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.execution.ExecutionStep;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.scenario.Executability;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.scheduler.internal.FakeAgentLink.Request;

/**
 * SCN-4: the built-in master setup scenarios plan into the built-in step {@code master-setup}, which the agent of
 * the installed OS carries out (guide 3.3.1.3, 3.4.1.3) before a Backup/Restore scenario backs the master up.
 */
public class MasterSetupTest {

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

    private Scenario builtIn(String name) {
        return f.scenarios.findScenario(name).orElseThrow();
    }

    private Execution run(Scenario s, Machine m) {
        return engine.execute(new ExecuteRequest(List.of(m.id()), Optional.of(s.id()), true, "admin")).get(0);
    }

    private Request<Void> nextPreparation() throws InterruptedException {
        Request<Void> r = f.agents.masterPreparations.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a master preparation asked of an agent").isNotNull();
        return r;
    }

    private Execution awaitState(long id, ExecutionState state) {
        eventually(() -> engine.execution(id).state() == state, "execution " + id + " " + state);
        return engine.execution(id);
    }

    @Test
    public void scn4TheBuiltInScenariosAreExecutableWithoutTheDeployOs() {
        for (String name : BuiltInScenarios.MASTER_SETUP.keySet()) {
            assertThat(f.scenarios.executability(builtIn(name).id())).as(name)
                    .isEqualTo(new Executability(true, Optional.empty(), false));
        }
    }

    @Test
    public void scn4LinuxMasterSetupAsksTheInstalledOsAgentAndCompletesWhenItConfirms() throws Exception {
        Machine m = f.machine("master01", 1);
        f.agents.connect(m.id(), false);

        Execution e = run(builtIn("System_LinuxMasterSetup"), m);
        Request<Void> preparation = nextPreparation();
        assertThat(preparation.machineId()).isEqualTo(m.id());
        assertThat(preparation.what()).isEqualTo("linux");
        Execution running = engine.execution(e.id());
        assertThat(running.state()).isEqualTo(ExecutionState.RUNNING);
        assertThat(running.stepName()).as("what the execution list shows").isEqualTo("Master setup (Linux)");
        assertThat(running.steps()).isEqualTo(1);

        preparation.answer().complete(null);
        Execution done = awaitState(e.id(), ExecutionState.COMPLETED);
        assertThat(done.stepName()).isEqualTo("Master setup (Linux)");
        assertThat(engine.steps(e.id())).singleElement().satisfies(st -> {
            assertThat(st.executor()).isEqualTo("master-setup");
            assertThat(st.name()).isEqualTo("Master setup (Linux)");
            assertThat(st.state()).isEqualTo(ExecutionStep.State.DONE);
        });
        assertThat(f.agents.powerRequests).as("the agent shuts the machine down itself").isEmpty();
    }

    @Test
    public void scn4WindowsMasterSetupVmAsksForSysprepInVmModeAndAnAgentRefusalFailsTheExecution()
            throws Exception {
        Machine m = f.machine("master02", 2);
        f.agents.connect(m.id(), false);

        Execution e = run(builtIn("System_WindowsMasterSetupVM"), m);
        Request<Void> preparation = nextPreparation();
        assertThat(preparation.what()).isEqualTo("windows-vm");
        assertThat(engine.execution(e.id()).stepName()).isEqualTo("Master setup (Windows, VM)");
        preparation.answer().completeExceptionally(new AgentRequestException(
                "System_WindowsMasterSetupVM needs the agent of a Windows machine"));

        Execution failed = awaitState(e.id(), ExecutionState.FAILED);
        assertThat(failed.message()).isEqualTo("Step 1 of 1 (Master setup (Windows, VM)) failed: "
                + "System_WindowsMasterSetupVM needs the agent of a Windows machine");
    }

    @Test
    public void aMachineInItsDeployOsIsNotPreparedAsAMaster() throws Exception {
        Machine m = f.machine("master03", 3);
        f.agents.connect(m.id(), true);

        Execution e = run(builtIn("System_WindowsMasterSetup"), m);
        Execution failed = awaitState(e.id(), ExecutionState.FAILED);
        assertThat(failed.message()).contains("runs its Deploy-OS; the master setup needs the agent of its "
                + "installed OS");
        assertThat(f.agents.masterPreparations).isEmpty();
    }

    @Test
    public void aMachineWithoutAgentIsPoweredOnAndPreparedOnceItsInstalledOsAgentConnects() throws Exception {
        Machine m = f.machine("master04", 4);
        Execution e = run(builtIn("System_WindowsMasterSetup"), m);
        assertThat(f.agents.masterPreparations.poll(300, TimeUnit.MILLISECONDS)).as("no agent yet").isNull();
        f.agents.connect(m.id(), false);
        Request<Void> preparation = nextPreparation();
        assertThat(preparation.what()).isEqualTo("windows");
        preparation.answer().complete(null);
        awaitState(e.id(), ExecutionState.COMPLETED);
    }
}
