package org.opendpm.spi.testkit;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.ImageStore;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;
import org.opendpm.spi.StepFailedException;

/** A plugin's step executor tested the way a plugin author would, with no container. */
public class TestStepContextTest {

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    /** A backup-like step: checks the disk with a command, streams it into an image, boots the disk next. */
    static final class CopyDiskStep implements StepExecutor {
        @Override
        public CompletionStage<Void> execute(StepContext ctx) {
            if (!ctx.agent().isConnected(AgentHandle.Kind.DEPLOY_OS)) {
                throw new StepFailedException("no Deploy-OS agent");
            }
            String device = ctx.step().parameters().get("device");
            return ctx.agent().run("blockdev --getsize64 " + device, Duration.ofSeconds(10)).thenCompose(size -> {
                long bytes = Long.parseLong(size.output().strip());
                try {
                    ImageStore.NewImage image = ctx.images().create("disk.img", bytes);
                    return ctx.agent().receive("file", Map.of("path", device), image.channel()).thenApply(r -> {
                        try (image) {
                            image.commit();
                        } catch (java.io.IOException e) {
                            throw new StepFailedException("cannot keep the image: " + e.getMessage());
                        }
                        ctx.progress(r.bytes(), bytes, "bytes");
                        ctx.log("copied " + r.bytes() + " bytes, SHA-256 " + r.sha256());
                        ctx.boot().next(new BootIntent.LocalDisk(), true);
                        return (Void) null;
                    });
                } catch (java.io.IOException e) {
                    return CompletableFuture.failedFuture(e);
                }
            });
        }
    }

    private final Step step = Step.inDeployOs("copy-disk", "Copy disk", Map.of("device", "/dev/vda"));

    @Test
    public void aStepIsRunAndWhatItDidIsRecorded() throws Exception {
        byte[] disk = new byte[70_000];
        new java.util.Random(7).nextBytes(disk);
        Path images = temp.newFolder("images").toPath();
        TestStepContext ctx = TestStepContext.of(step, images).agentConnected(AgentHandle.Kind.DEPLOY_OS)
                .onCommand(c -> new AgentHandle.CommandResult(0, disk.length + "\n")).stream("file", "/dev/vda", disk);

        TestStepContext.run(new CopyDiskStep(), ctx, Duration.ofSeconds(5));

        assertEquals(List.of("blockdev --getsize64 /dev/vda"), ctx.commandsRun());
        assertArrayEquals(disk, Files.readAllBytes(images.resolve("disk.img")));
        assertEquals(List.of(new TestStepContext.Progress(disk.length, disk.length, "bytes")), ctx.progressReports());
        assertTrue(ctx.logLines().get(0), ctx.logLines().get(0).startsWith("copied 70000 bytes, SHA-256 "));
        assertEquals(List.of(new TestStepContext.BootEvent("next", new BootIntent.LocalDisk(), true)),
                ctx.bootEvents());
    }

    @Test
    public void aFailingStepIsReportedWithItsReasonAndLeavesNoImage() throws Exception {
        Path images = temp.newFolder("images").toPath();
        TestStepContext noAgent = TestStepContext.of(step, images);
        PluginAssertionError e = assertThrows(PluginAssertionError.class,
                () -> TestStepContext.run(new CopyDiskStep(), noAgent, Duration.ofSeconds(5)));
        assertTrue(e.getMessage(), e.getMessage().contains("no Deploy-OS agent"));

        TestStepContext noStream = TestStepContext.of(step, images).agentConnected(AgentHandle.Kind.DEPLOY_OS)
                .onCommand(c -> new AgentHandle.CommandResult(0, "512"));
        e = assertThrows(PluginAssertionError.class,
                () -> TestStepContext.run(new CopyDiskStep(), noStream, Duration.ofSeconds(5)));
        assertTrue(e.getMessage(), e.getMessage().contains("the agent has no file"));
        assertFalse(Files.exists(images.resolve("disk.img")));
    }

    @Test
    public void stoppingRunsTheStopActionsAndBadProgressIsCaught() {
        TestStepContext ctx = TestStepContext.of(step, temp.getRoot().toPath());
        boolean[] cancelled = { false };
        ctx.onStop(() -> cancelled[0] = true);
        ctx.stop();
        assertTrue(ctx.isStopped());
        assertTrue(cancelled[0]);
        assertThrows(PluginAssertionError.class, () -> ctx.progress(5, 4, "bytes"));
        assertThrows(PluginAssertionError.class, () -> ctx.publish("../ks.cfg", new byte[0], "text/plain"));
        assertTrue(ctx.publish("ks.cfg", "x".getBytes(), "text/plain").endsWith("/ks.cfg"));
    }

    @Test
    public void backupAndRestoreAnswerAsScriptedAndRecordWhatWasAsked() throws Exception {
        TestStepContext ctx = TestStepContext.of(step, temp.getRoot().toPath()).onBackup(b -> {
            return new AgentHandle.ImageResult(1 << 20, 4096, 1, Duration.ofSeconds(3), List.of("model differs"));
        }).onRestore(r -> {
            throw new StepFailedException("chunk 3 (disk 1, offset 12582912): CRC-32C mismatch");
        });
        AgentHandle.ImageResult result = ctx.agent().backup(new AgentHandle.Backup("base.img", 1, List.of(2, 1), true))
                .toCompletableFuture().get();
        assertEquals(List.of("model differs"), result.warnings());
        assertEquals(List.of(new AgentHandle.Backup("base.img", 1, List.of(2, 1), true)), ctx.backupsAsked());

        CompletableFuture<AgentHandle.ImageResult> restore = ctx.agent()
                .restore(new AgentHandle.Restore("base.img", 2, true)).toCompletableFuture();
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                restore::get);
        assertTrue(e.getCause().getMessage(), e.getCause().getMessage().contains("CRC-32C mismatch"));
        assertEquals(List.of(new AgentHandle.Restore("base.img", 2, true)), ctx.restoresAsked());
    }

    @Test
    public void anUnscriptedBackupFailsNamingTheRequest() {
        TestStepContext ctx = TestStepContext.of(step, temp.getRoot().toPath());
        CompletableFuture<AgentHandle.ImageResult> backup = ctx.agent()
                .backup(new AgentHandle.Backup("a.img", 1, List.of(), false)).toCompletableFuture();
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                backup::get);
        assertTrue(e.getCause().getMessage(), e.getCause().getMessage().contains("no backup answer scripted"));
        assertEquals(1, ctx.backupsAsked().size());
    }
}
