package org.opendpm.scheduler.internal.engine;

import static org.opendpm.scheduler.internal.engine.EngineFixture.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioOptions;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.scheduler.internal.TestTypes;
import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;

/**
 * NET-4: a scenario with a multicast restore is refused while the server runs without its DHCP server, when it is
 * requested and again when its restore step runs.
 */
public class Net4Test {

    private static final String REFUSAL = "Scenario Multicast cannot run: it does a multicast restore (Transmit Data"
            + " By Multicast on its Backup/Restore tab), which needs the server's DHCP server, and the server runs"
            + " without one (server setting \"Use A DHCP Server\", useDhcpServer, is off; NET-4). Turn the setting"
            + " on, or restore by unicast";

    /** A tab whose "command" multicast needs the DHCP server, as the Backup/Restore tab's multicast restore does. */
    static final class Restorer extends TestTypes.CommandTab {
        volatile RuntimeException failure;

        Restorer() {
            super("Restore");
        }

        @Override
        public Optional<String> needsDhcpServer(Map<String, Object> settings) {
            if (failure != null) {
                throw failure;
            }
            return "multicast".equals(settings.get("command"))
                    ? Optional.of("a multicast restore (Transmit Data By Multicast on its Backup/Restore tab)")
                    : Optional.empty();
        }
    }

    /** Carries out the "cmd" steps as a multicast restore, once the test says go. */
    static final class MulticastRestore implements StepExecutor {
        final CompletableFuture<Void> go = new CompletableFuture<>();

        @Override
        public CompletionStage<Void> execute(StepContext ctx) {
            return go.thenCompose(v -> ctx.agent().restore(new AgentHandle.Restore("base.img", 1, false),
                    new AgentHandle.Multicast(OptionalInt.of(2), Optional.empty()))).thenAccept(r -> {
                    });
        }
    }

    private final MulticastRestore step = new MulticastRestore();
    private EngineFixture f;
    private ExecutionEngine engine;
    private final Restorer restorer = new Restorer();

    @Before
    public void setUp() throws Exception {
        f = new EngineFixture();
        f.plugins.types.put("restore", restorer);
        f.plugins.stepExecutors.put(StepExecutor.AGENT_COMMAND, step);
        engine = f.startEngine();
    }

    @After
    public void tearDown() {
        f.close();
    }

    private void dhcp(boolean on) {
        ServerSettings c = f.settings.current;
        f.settings.current = new ServerSettings(on, c.imageFolder(), c.checkCompletionByAgent(),
                c.machinesForSimultaneousExecution(), c.remotePowerOnTimeoutMinutes(), c.scenarioTimeoutMinutes(),
                c.defaultDeployOs());
    }

    private List<Execution> request(Scenario s, boolean allOrNone, Machine... machines) {
        return EngineFixture.request(engine, s, allOrNone, machines);
    }

    @Test
    public void net4AMulticastRestoreIsRefusedWithoutTheDhcpServerNamingScenarioAndSetting() {
        Machine a = f.machine("a", 1);
        Scenario multicast = f.scenario("Multicast", "restore", "multicast", ScenarioOptions.DEFAULT);
        dhcp(false);

        assertThatThrownBy(() -> request(multicast, true, a)).isInstanceOf(ConflictException.class)
                .hasMessage(REFUSAL);
        assertThat(engine.active()).isEmpty();
        // A scheduled batch records the refusal as the machine's result.
        List<Execution> batch = request(multicast, false, a);
        assertThat(batch).singleElement().satisfies(e -> {
            assertThat(e.state()).isEqualTo(ExecutionState.FAILED);
            assertThat(e.message()).isEqualTo(REFUSAL);
        });
    }

    @Test
    public void net4WithTheDhcpServerOrWithoutMulticastTheScenarioRuns() {
        Machine a = f.machine("a", 1);
        Machine b = f.machine("b", 2);
        Scenario multicast = f.scenario("Multicast", "restore", "multicast", ScenarioOptions.DEFAULT);
        Scenario unicast = f.scenario("Unicast", "restore", "unicast", ScenarioOptions.DEFAULT);

        assertThat(request(multicast, true, a)).singleElement().satisfies(e -> assertThat(e.state().finished())
                .isFalse());
        dhcp(false);
        assertThat(request(unicast, true, b)).singleElement().satisfies(e -> assertThat(e.state().finished())
                .isFalse());
    }

    @Test
    public void net4APluginThatCannotSayRefusesItsScenarioWithoutTheDhcpServer() {
        Machine a = f.machine("a", 1);
        Scenario multicast = f.scenario("Multicast", "restore", "multicast", ScenarioOptions.DEFAULT);
        restorer.failure = new IllegalStateException("settings unreadable");
        dhcp(false);
        assertThatThrownBy(() -> request(multicast, true, a)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("cannot be checked for what needs the server's DHCP server")
                .hasMessageContaining("settings unreadable");
    }

    @Test
    public void net4TheDhcpServerSwitchedOffAfterTheRequestFailsTheRestoreStep() {
        Machine a = f.machine("a", 1);
        Scenario multicast = f.scenario("Multicast", "restore", "multicast", ScenarioOptions.DEFAULT);
        long id = request(multicast, true, a).get(0).id();
        dhcp(false);
        step.go.complete(null);
        eventually(() -> engine.execution(id).state().finished(), "the execution ended");
        Execution e = engine.execution(id);
        assertThat(e.state()).isEqualTo(ExecutionState.FAILED);
        assertThat(e.message()).contains("The restore step on machine a cannot run: it does a multicast restore of"
                + " image base.img, which needs the server's DHCP server", "useDhcpServer");
    }

    @Test
    public void withoutTheMulticastSenderAMulticastRestoreFailsSayingSo() {
        Machine a = f.machine("a", 1);
        Scenario multicast = f.scenario("Multicast", "restore", "multicast", ScenarioOptions.DEFAULT);
        long id = request(multicast, true, a).get(0).id();
        step.go.complete(null);
        eventually(() -> engine.execution(id).state().finished(), "the execution ended");
        assertThat(engine.execution(id).message()).contains("Image base.img cannot be restored by multicast onto"
                + " machine a: the server's multicast sender is not running");
    }
}
