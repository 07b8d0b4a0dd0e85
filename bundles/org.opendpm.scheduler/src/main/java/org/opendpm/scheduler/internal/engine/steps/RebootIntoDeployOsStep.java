package org.opendpm.scheduler.internal.engine.steps;

import java.util.concurrent.CompletionStage;

import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;
import org.osgi.service.component.annotations.Component;

/** The built-in step {@value StepExecutor#REBOOT_INTO_DEPLOY_OS}: the Deploy-OS becomes the next boot (once, with a one-time token), the agent reboots the machine or its power driver powers it on, and the step waits for the Deploy-OS agent. */
@Component(property = StepExecutor.PROPERTY + "=" + StepExecutor.REBOOT_INTO_DEPLOY_OS)
public class RebootIntoDeployOsStep implements StepExecutor {

    @Override
    public CompletionStage<Void> execute(StepContext context) {
        context.boot().deployOs();
        CompletionStage<Void> up = context.agent().awaitConnection(AgentHandle.Kind.DEPLOY_OS, true);
        CompletionStage<Void> kick = context.agent().isConnected(AgentHandle.Kind.ANY)
                ? context.agent().reboot()
                : context.power().set(org.opendpm.spi.PowerOperation.ON);
        return kick.thenCompose(v -> up);
    }
}
