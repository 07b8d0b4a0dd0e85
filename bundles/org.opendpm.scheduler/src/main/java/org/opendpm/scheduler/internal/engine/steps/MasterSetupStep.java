package org.opendpm.scheduler.internal.engine.steps;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.opendpm.api.agent.AgentLink;
import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;
import org.opendpm.spi.StepFailedException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The built-in step {@value #KEY} of the master setup scenarios (SCN-4, guide 3.3.1.3 and 3.4.1.3): the agent of the
 * machine's installed OS removes what is specific to the machine (parameter {@code system}: {@code linux},
 * {@code windows}, {@code windows-vm}) and forgets its credential; the step completes when it confirms, and the agent
 * then shuts the machine down, ready for a Backup/Restore scenario to back its disk up as the master image.
 *
 * <p>Not resumable: after a restart the machine may already be generalised, and starting it again would undo that
 * (Windows specialises at its next start).
 */
@Component(property = StepExecutor.PROPERTY + "=" + MasterSetupStep.KEY)
public class MasterSetupStep implements StepExecutor {

    /** The executor key; built in, so not among the SPI's constants that plugins may rely on. */
    public static final String KEY = "master-setup";

    private static final Map<String, String> NAMES = Map.of("linux", "Master setup (Linux)", "windows",
            "Master setup (Windows)", "windows-vm", "Master setup (Windows, VM)");

    private final AgentLink agents;

    @Activate
    public MasterSetupStep(@Reference AgentLink agents) {
        this.agents = agents;
    }

    /** The step preparing a master of {@code system} ({@code linux}, {@code windows} or {@code windows-vm}). */
    public static Step step(String system) {
        String name = NAMES.get(system);
        if (name == null) {
            throw new IllegalArgumentException("no master setup for system '" + system + "'");
        }
        return Step.of(KEY, name, Map.of("system", system));
    }

    @Override
    public List<SettingViolation> validate(Step step) {
        String system = step.parameters().get("system");
        return NAMES.containsKey(system)
                ? List.of()
                : List.of(new SettingViolation("system", "'" + system + "' is not one of linux, windows, "
                        + "windows-vm"));
    }

    @Override
    public CompletionStage<Void> execute(StepContext context) {
        String machine = context.target().machineName();
        if (context.agent().isConnected(AgentHandle.Kind.DEPLOY_OS)) {
            throw new StepFailedException("machine " + machine + " runs its Deploy-OS; the master setup needs the"
                    + " agent of its installed OS: start the machine from its disk");
        }
        String system = context.step().parameters().get("system");
        CompletionStage<Void> up;
        if (context.agent().isConnected(AgentHandle.Kind.INSTALLED_OS)) {
            up = CompletableFuture.completedFuture(null);
        } else {
            // As any agent request: a machine without its agent is powered on and must come up in time (SCH-4).
            CompletionStage<Void> connected = context.agent().awaitConnection(AgentHandle.Kind.INSTALLED_OS, true);
            up = context.power().set(PowerOperation.ON).thenCompose(v -> connected);
        }
        return up.thenCompose(v -> {
            context.log("Asking the agent of machine " + machine + " to prepare it as a " + system + " master");
            CompletableFuture<Void> prepared = agents.prepareMaster(context.machineId(), system)
                    .toCompletableFuture();
            context.onStop(() -> prepared.cancel(true));
            return prepared;
        }).thenRun(() -> context.log("Prepared; the agent shuts machine " + machine
                + " down: back its disk up with a Backup/Restore scenario to make the master image"));
    }
}
