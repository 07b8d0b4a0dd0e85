package org.opendpm.scheduler.internal.engine.steps;

import java.util.concurrent.CompletionStage;

import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;
import org.osgi.service.component.annotations.Component;

/** The built-in step {@value StepExecutor#TRANSFER}: send the server file {@code file} into the folder {@code folder} on the machine, with {@code permissions} (default 644). */
@Component(property = StepExecutor.PROPERTY + "=" + StepExecutor.TRANSFER)
public class TransferStep implements StepExecutor {

    @Override
    public CompletionStage<Void> execute(StepContext context) {
        var p = context.step().parameters();
        return context.agent().send(p.getOrDefault("file", ""), p.getOrDefault("folder", ""),
                p.getOrDefault("permissions", "644"));
    }
}
