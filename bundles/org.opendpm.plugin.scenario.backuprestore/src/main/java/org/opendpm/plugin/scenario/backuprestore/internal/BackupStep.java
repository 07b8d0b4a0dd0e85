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
 * Backs the step's disk (or partitions) up to its image through the core's {@link AgentHandle#backup}, which writes
 * the image aside, reports progress in bytes and puts the image in place once complete (IMG-1, IMG-2, IMG-6); the
 * figures of the result go to the step's log.
 */
@Component(property = StepExecutor.PROPERTY + "=" + BackupStep.KEY)
public class BackupStep implements StepExecutor {

    static final String KEY = "backup-restore.backup";

    @Override
    public List<SettingViolation> validate(Step step) {
        return ImageSteps.problems(step, ImageSteps.VERIFY);
    }

    @Override
    public CompletionStage<Void> execute(StepContext context) {
        ImageSteps.Parameters p = ImageSteps.read(context.step(), ImageSteps.VERIFY);
        String what = "Backup of disk " + p.disk() + (p.partitions().isEmpty()
                ? ""
                : ", partitions " + p.partitions().toString().replaceAll("[\\[\\]]", "")) + " to image "
                + p.imageName() + (p.flag() ? " (verified)" : "");
        context.log(what + " started");
        return context.agent().backup(new AgentHandle.Backup(p.imageName(), p.disk(), p.partitions(), p.flag()))
                .thenAccept(r -> context.log(what + ": " + ImageSteps.figures(r)));
    }
}
