package org.opendpm.scheduler.internal.engine.steps;

import java.util.concurrent.CompletionStage;

import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;
import org.osgi.service.component.annotations.Component;

/** The built-in step {@value StepExecutor#WAIT_FOR_AGENT}: wait for the agent, until the execution times out; parameter {@code deployOs} {@code true} the Deploy-OS's, {@code false} the installed OS's (EXE-9), absent either. */
@Component(property = StepExecutor.PROPERTY + "=" + StepExecutor.WAIT_FOR_AGENT)
public class WaitForAgentStep implements StepExecutor {

    @Override
    public CompletionStage<Void> execute(StepContext context) {
        String which = context.step().parameters().get("deployOs");
        AgentHandle.Kind kind = which == null
                ? AgentHandle.Kind.ANY
                : Boolean.parseBoolean(which) ? AgentHandle.Kind.DEPLOY_OS : AgentHandle.Kind.INSTALLED_OS;
        return context.agent().awaitConnection(kind, false);
    }
}
