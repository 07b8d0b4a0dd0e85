package org.opendpm.scheduler.internal.engine.steps;

import java.util.concurrent.CompletionStage;

import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;
import org.osgi.service.component.annotations.Component;

/** The built-in step {@value StepExecutor#LOCAL_BOOT}: the local disk becomes the next boot; a Deploy-OS still connected reboots into it. */
@Component(property = StepExecutor.PROPERTY + "=" + StepExecutor.LOCAL_BOOT)
public class LocalBootStep implements StepExecutor {

    @Override
    public CompletionStage<Void> execute(StepContext context) {
        context.boot().clear();
        return context.agent().isConnected(AgentHandle.Kind.DEPLOY_OS)
                ? context.agent().reboot()
                : java.util.concurrent.CompletableFuture.completedFuture(null);
    }
}
