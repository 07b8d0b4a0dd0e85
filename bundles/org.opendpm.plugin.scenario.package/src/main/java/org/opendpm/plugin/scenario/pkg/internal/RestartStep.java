package org.opendpm.plugin.scenario.pkg.internal;

import java.util.List;
import java.util.concurrent.CompletionStage;

import org.opendpm.api.packages.PackageOutcome;
import org.opendpm.api.packages.PackageResults;
import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Restart After Applying (PKG-2): the agent restarts the machine and the step ends when the agent of its installed OS
 * is back, within the Remote Power ON Timeout. The log says which packages asked for the restart.
 */
@Component(property = StepExecutor.PROPERTY + "=" + RestartStep.KEY)
public class RestartStep implements StepExecutor {

    static final String KEY = "package.restart";

    private final PackageResults results;

    @Activate
    public RestartStep(@Reference PackageResults results) {
        this.results = results;
    }

    @Override
    public CompletionStage<Void> execute(StepContext context) {
        List<String> asking = results.of(context.executionId()).stream()
                .filter(r -> r.outcome() == PackageOutcome.RESTART_NEEDED).map(r -> r.packageName()).toList();
        context.log(asking.isEmpty()
                ? "Restarting the machine (Restart After Applying)"
                : "Restarting the machine (Restart After Applying); needed by " + String.join(", ", asking));
        // Asked before the reboot, so that only the agent's next connection counts.
        CompletionStage<Void> back = context.agent().awaitConnection(AgentHandle.Kind.INSTALLED_OS, true);
        return context.agent().reboot().thenCompose(v -> back);
    }
}
