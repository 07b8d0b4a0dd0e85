package org.opendpm.scheduler.internal.engine.steps;

import java.util.concurrent.CompletionStage;

import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;
import org.osgi.service.component.annotations.Component;

/** The built-in step {@value StepExecutor#POWER_OFF}: power off through the machine's power driver. */
@Component(property = StepExecutor.PROPERTY + "=" + StepExecutor.POWER_OFF)
public class PowerOffStep implements StepExecutor {

    @Override
    public CompletionStage<Void> execute(StepContext context) {
        return context.power().set(org.opendpm.spi.PowerOperation.OFF);
    }
}
