package org.opendpm.plugin.scenario.backuprestore.internal;

import java.util.List;
import java.util.concurrent.CompletionStage;

import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;
import org.osgi.service.component.annotations.Component;

/**
 * Restores the step's image onto its disk through the core's {@link AgentHandle#restore}, which checks every chunk
 * before it is sent, reports progress in bytes and warns of another Deploy-OS or model (IMG-5, IMG-6); the figures
 * of the result go to the step's log. A step planned for multicast restores through
 * {@link AgentHandle#restore(AgentHandle.Restore, AgentHandle.Multicast)}, the session formed by the core (IMG-3).
 */
@Component(property = StepExecutor.PROPERTY + "=" + RestoreStep.KEY)
public class RestoreStep implements StepExecutor {

    static final String KEY = "backup-restore.restore";

    @Override
    public List<SettingViolation> validate(Step step) {
        return ImageSteps.problems(step, ImageSteps.COMPARE);
    }

    @Override
    public CompletionStage<Void> execute(StepContext context) {
        ImageSteps.Parameters p = ImageSteps.read(context.step(), ImageSteps.COMPARE);
        String what = (p.multicast().isPresent() ? "Multicast restore" : "Restore") + " of image " + p.imageName()
                + " onto disk " + p.disk() + (p.flag() ? " (compared)" : "");
        context.log(what + " started");
        AgentHandle.Restore restore = new AgentHandle.Restore(p.imageName(), p.disk(), p.flag());
        return (p.multicast().isPresent()
                ? context.agent().restore(restore, p.multicast().get())
                : context.agent().restore(restore)).thenAccept(r -> context.log(what + ": " + ImageSteps.figures(r)));
    }
}
