package org.opendpm.plugin.scenario.backuprestore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.AgentHandle.ImageResult;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepFailedException;
import org.opendpm.spi.testkit.PluginAssertionError;
import org.opendpm.spi.testkit.ScenarioTypeChecks;
import org.opendpm.spi.testkit.TestStepContext;

/** The backup and restore executors: what they ask of the agent and what they log (IMG-1, IMG-2, IMG-6). */
public class ImageStepsTest {

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final BackupRestoreScenarioType type = new BackupRestoreScenarioType();

    private Step planned(Map<String, Object> settings) {
        return type.plan(settings, ScenarioTypeChecks.target()).get(0);
    }

    private TestStepContext context(Step step) {
        Path images = temp.getRoot().toPath();
        return TestStepContext.of(step, images).agentConnected(AgentHandle.Kind.DEPLOY_OS);
    }

    @Test
    public void aBackupAsksTheAgentForThePlannedDiskAndLogsTheFigures() {
        Step step = planned(Map.of("operation", "backup", "imageName", "base", "disk", 2, "partitions", List.of(3, 1),
                "createVerificationData", true, "appendToImageName", "machine-name"));
        TestStepContext ctx = context(step).onBackup(b -> {
            return new ImageResult(8L << 30, 3L << 30, 2048, Duration.ofSeconds(123), List.of());
        });

        TestStepContext.run(new BackupStep(), ctx, Duration.ofSeconds(5));

        assertThat(ctx.backupsAsked()).containsExactly(new AgentHandle.Backup("base_machine01", 2, List.of(3, 1),
                true));
        assertThat(ctx.logLines()).containsExactly(
                "Backup of disk 2, partitions 3, 1 to image base_machine01 (verified) started",
                "Backup of disk 2, partitions 3, 1 to image base_machine01 (verified): 8589934592 disk bytes,"
                        + " image 3221225472 bytes, 2048 chunks, 123.0 s");
    }

    @Test
    public void aRestoreAsksTheAgentAndLogsItsFigures() {
        Step step = planned(Map.of("operation", "restore", "imageName", "base", "compareAfterRestore", true));
        TestStepContext ctx = context(step).onRestore(r -> new ImageResult(1 << 20, 4096, 1, Duration.ofSeconds(2),
                List.of("image taken with Deploy-OS ia32_1, the machine boots x64_2")));

        TestStepContext.run(new RestoreStep(), ctx, Duration.ofSeconds(5));

        assertThat(ctx.restoresAsked()).containsExactly(new AgentHandle.Restore("base", 1, true));
        assertThat(ctx.logLines()).last().asString().isEqualTo("Restore of image base onto disk 1 (compared): 1048576"
                + " disk bytes, image 4096 bytes, 1 chunk, 2.0 s");
        assertThat(ctx.backupsAsked()).isEmpty();
    }

    @Test
    public void img3AMulticastRestoreAsksForMulticastWithTheTabsCondition() {
        Step step = planned(Map.of("operation", "restore", "imageName", "base", "transfer", "multicast",
                "maximumTargets", 4, "maximumWaitingMinutes", 5));
        TestStepContext ctx = context(step).onRestore(r -> new ImageResult(1 << 20, 4096, 1, Duration.ofSeconds(2),
                List.of()));

        TestStepContext.run(new RestoreStep(), ctx, Duration.ofSeconds(5));

        assertThat(ctx.restoresAsked()).containsExactly(new AgentHandle.Restore("base", 1, false));
        assertThat(ctx.multicastsAsked()).containsExactly(new AgentHandle.Multicast(OptionalInt.of(4),
                Optional.of(Duration.ofMinutes(5))));
        assertThat(ctx.logLines()).last().asString().startsWith("Multicast restore of image base onto disk 1: ");

        Step neither = planned(Map.of("operation", "restore", "imageName", "base", "transfer", "multicast"));
        TestStepContext none = context(neither).onRestore(r -> new ImageResult(1, 1, 1, Duration.ZERO, List.of()));
        TestStepContext.run(new RestoreStep(), none, Duration.ofSeconds(5));
        assertThat(none.multicastsAsked()).containsExactly(new AgentHandle.Multicast(OptionalInt.empty(),
                Optional.empty()));
    }

    @Test
    public void aUnicastRestoreNeverAsksForMulticast() {
        TestStepContext ctx = context(planned(Map.of("operation", "restore", "imageName", "base")))
                .onRestore(r -> new ImageResult(1, 1, 1, Duration.ZERO, List.of()));
        TestStepContext.run(new RestoreStep(), ctx, Duration.ofSeconds(5));
        assertThat(ctx.multicastsAsked()).isEmpty();
        assertThat(ctx.restoresAsked()).hasSize(1);
    }

    @Test
    public void badMulticastParametersAreFound() {
        Step bad = Step.inDeployOs(RestoreStep.KEY, "Restore", Map.of("imageName", "x", "disk", "1", "transfer",
                "multicast", "maximumTargets", "1001", "maximumWaitingMinutes", "0"));
        assertThat(new RestoreStep().validate(bad)).extracting(v -> v.field()).containsExactly("maximumTargets",
                "maximumWaitingMinutes");
        Step odd = Step.inDeployOs(RestoreStep.KEY, "Restore", Map.of("imageName", "x", "disk", "1", "transfer",
                "anycast"));
        assertThat(new RestoreStep().validate(odd)).extracting(v -> v.field()).containsExactly("transfer");
    }

    @Test
    public void aFailedBackupFailsTheStepWithItsReason() {
        TestStepContext ctx = context(planned(Map.of("operation", "backup", "imageName", "base"))).onBackup(b -> {
            throw new StepFailedException("Image base needs 100 bytes; the image folder has 10 free");
        });
        assertThatThrownBy(() -> TestStepContext.run(new BackupStep(), ctx, Duration.ofSeconds(5)))
                .isInstanceOf(PluginAssertionError.class).hasMessageContaining("the image folder has 10 free");
        assertThat(ctx.logLines()).hasSize(1);
    }

    @Test
    public void badStepParametersAreFoundWhenPlannedAndWhenRun() {
        Step bad = Step.inDeployOs(BackupStep.KEY, "Backup", Map.of("imageName", "../x", "disk", "0", "partitions",
                "1,x,1", "verify", "maybe"));
        assertThat(new BackupStep().validate(bad)).extracting(v -> v.field()).containsExactly("imageName", "disk",
                "partitions",
                "partitions", "verify");
        Step dup = Step.inDeployOs(BackupStep.KEY, "Backup", Map.of("imageName", "x", "disk", "1", "partitions",
                "2,2"));
        assertThat(new BackupStep().validate(dup)).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("listed twice"));
        assertThat(new RestoreStep().validate(planned(Map.of("operation", "restore", "imageName", "b")))).isEmpty();
        TestStepContext ctx = context(bad);
        assertThatThrownBy(() -> TestStepContext.run(new BackupStep(), ctx, Duration.ofSeconds(5)))
                .hasMessageContaining("bad parameter imageName");
        assertThat(ctx.backupsAsked()).isEmpty();
    }
}
