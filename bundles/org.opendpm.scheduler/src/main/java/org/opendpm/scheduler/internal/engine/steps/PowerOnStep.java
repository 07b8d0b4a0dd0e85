package org.opendpm.scheduler.internal.engine.steps;

import java.util.concurrent.CompletionStage;

import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;
import org.osgi.service.component.annotations.Component;

/** The built-in step {@value StepExecutor#POWER_ON}: power on, then wait for the agent (the Deploy-OS's when the step needs it) within the Remote Power ON Timeout. */
@Component(property = StepExecutor.PROPERTY + "=" + StepExecutor.POWER_ON)
public class PowerOnStep implements StepExecutor {

    @Override
    public CompletionStage<Void> execute(StepContext context) {
        // Waiting first, so a fast agent is not missed.
        CompletionStage<Void> up = context.agent().awaitConnection(
                context.step().needsDeployOs() ? AgentHandle.Kind.DEPLOY_OS : AgentHandle.Kind.ANY, true);
        return context.power().set(org.opendpm.spi.PowerOperation.ON).thenCompose(v -> up);
    }
}
