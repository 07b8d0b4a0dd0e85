package org.opendpm.spi.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.BootControl;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.ImageStore;
import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.PowerHandle;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.PowerState;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;
import org.opendpm.spi.StepFailedException;

/**
 * A {@link StepContext} for unit tests of a {@link StepExecutor}, outside any container: it records what the
 * executor did (progress, log lines, boot intents, power operations, published files) and answers its agent requests
 * from what the test scripted. Images live in a folder the test gives; a new image becomes visible only on commit,
 * as in the server.
 *
 * <pre>{@code
 * TestStepContext ctx = TestStepContext.of(step, tempFolder).agentConnected(AgentHandle.Kind.DEPLOY_OS)
 *         .onCommand(cmd -> new CommandResult(0, "ok")).stream("file", "/dev/sda", diskBytes)
 *         .onBackup(b -> new ImageResult(diskBytes.length, 4096, 1, Duration.ofSeconds(2), List.of()));
 * TestStepContext.run(new MyExecutor(), ctx, Duration.ofSeconds(5));
 * assertEquals(List.of("..."), ctx.logLines());
 * }</pre>
 */
public final class TestStepContext implements StepContext {

    /** One progress report. */
    public record Progress(long done, long total, String unit) {
    }

    /** What the executor asked of boot control: {@code deployOs}, {@code next} (with the intent) or {@code clear}. */
    public record BootEvent(String action, BootIntent intent, boolean oneShot) {
    }

    /** A file the executor published, with the path below the server's HTTP root it was given. */
    public record Published(String name, byte[] content, String mediaType, String url) {
    }

    private final Step step;
    private final Path imageFolder;
    private final List<Progress> progress = new CopyOnWriteArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final List<BootEvent> boot = new CopyOnWriteArrayList<>();
    private final List<PowerOperation> powerOperations = new CopyOnWriteArrayList<>();
    private final List<Published> published = new CopyOnWriteArrayList<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<Runnable> onStop = new CopyOnWriteArrayList<>();
    private volatile String timeoutExplanation;
    private final List<AgentHandle.Backup> backups = new CopyOnWriteArrayList<>();
    private final List<AgentHandle.Restore> restores = new CopyOnWriteArrayList<>();
    private final List<AgentHandle.Multicast> multicasts = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> streams = new LinkedHashMap<>();
    private volatile AgentHandle.Kind connected;
    private volatile Function<String, AgentHandle.CommandResult> commandAnswers = c -> {
        throw new StepFailedException("no command answer scripted for: " + c);
    };
    private volatile Function<AgentHandle.Backup, AgentHandle.ImageResult> backupAnswers = b -> {
        throw new StepFailedException("no backup answer scripted for: " + b);
    };
    private volatile Function<AgentHandle.Restore, AgentHandle.ImageResult> restoreAnswers = r -> {
        throw new StepFailedException("no restore answer scripted for: " + r);
    };
    private final List<AgentHandle.PackageInstall> installs = new CopyOnWriteArrayList<>();
    private volatile Function<AgentHandle.PackageInstall, AgentHandle.PackageOutcome> installAnswers = i -> {
        throw new StepFailedException("no install answer scripted for: " + i.name());
    };
    private volatile PowerState powerState = PowerState.OFF;
    private volatile boolean stopped;
    private PlanTarget target = ScenarioTypeChecks.target();
    private Instant deadline = Instant.now().plus(Duration.ofHours(2));

    private TestStepContext(Step step, Path imageFolder) {
        this.step = step;
        this.imageFolder = imageFolder;
    }

    /** A context for the step; images are kept in {@code imageFolder} (a test's temporary folder). */
    public static TestStepContext of(Step step, Path imageFolder) {
        return new TestStepContext(step, imageFolder);
    }

    /** The machine's agent of this kind is connected; without it the agent is not. */
    public TestStepContext agentConnected(AgentHandle.Kind kind) {
        this.connected = kind;
        return this;
    }

    /** How the agent answers commands; a function that throws fails the command with that exception. */
    public TestStepContext onCommand(Function<String, AgentHandle.CommandResult> answers) {
        this.commandAnswers = answers;
        return this;
    }

    /**
     * How {@link AgentHandle#backup} answers; a function that throws fails the backup with that exception. The
     * function may report progress through this context first, as the core does while the chunks arrive.
     */
    public TestStepContext onBackup(Function<AgentHandle.Backup, AgentHandle.ImageResult> answers) {
        this.backupAnswers = answers;
        return this;
    }

    /** How {@link AgentHandle#restore} answers; a function that throws fails the restore with that exception. */
    public TestStepContext onRestore(Function<AgentHandle.Restore, AgentHandle.ImageResult> answers) {
        this.restoreAnswers = answers;
        return this;
    }

    /**
     * How {@link AgentHandle#install} answers; a function that throws fails the install with that exception (since
     * 1.3).
     */
    public TestStepContext onInstall(Function<AgentHandle.PackageInstall, AgentHandle.PackageOutcome> answers) {
        this.installAnswers = answers;
        return this;
    }

    /** The package installs the executor asked for, in order (since 1.3). */
    public List<AgentHandle.PackageInstall> installsAsked() {
        return List.copyOf(installs);
    }

    /** What the agent streams for {@code receive(source, {path: path})}. */
    public TestStepContext stream(String source, String path, byte[] data) {
        synchronized (streams) {
            streams.put(source + ":" + path, data.clone());
        }
        return this;
    }

    public TestStepContext target(PlanTarget planTarget) {
        this.target = planTarget;
        return this;
    }

    public TestStepContext deadline(Instant at) {
        this.deadline = at;
        return this;
    }

    public TestStepContext powerState(PowerState state) {
        this.powerState = state;
        return this;
    }

    /** Stops the step as a cancel or time-out does: {@link #isStopped()} turns true and the stop actions run. */
    public void stop() {
        stopped = true;
        onStop.forEach(Runnable::run);
    }

    /**
     * Runs the executor as the core does (its future must complete within {@code timeout}); returns normally when
     * the step succeeded and throws {@link PluginAssertionError} with the step's failure otherwise.
     */
    public static void run(StepExecutor executor, TestStepContext context, Duration timeout) {
        CompletionStage<Void> stage;
        try {
            stage = executor.execute(context);
        } catch (RuntimeException e) {
            throw new PluginAssertionError("the step failed at once: " + e, e);
        }
        if (stage == null) {
            throw new PluginAssertionError("execute() returned null; return a completion stage");
        }
        try {
            stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new PluginAssertionError("the step failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new PluginAssertionError("the step did not complete within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PluginAssertionError("interrupted");
        }
    }

    public List<Progress> progressReports() {
        return List.copyOf(progress);
    }

    public List<String> logLines() {
        return List.copyOf(log);
    }

    /** The backups the executor asked for, in order. */
    public List<AgentHandle.Backup> backupsAsked() {
        return List.copyOf(backups);
    }

    /** The multicast conditions of the multicast restores the executor asked for, in order (since 1.2). */
    public List<AgentHandle.Multicast> multicastsAsked() {
        return List.copyOf(multicasts);
    }

    /** The restores the executor asked for, unicast and multicast, in order. */
    public List<AgentHandle.Restore> restoresAsked() {
        return List.copyOf(restores);
    }

    public List<BootEvent> bootEvents() {
        return List.copyOf(boot);
    }

    public List<PowerOperation> powerOperations() {
        return List.copyOf(powerOperations);
    }

    public List<Published> publishedFiles() {
        return List.copyOf(published);
    }

    /** The agent requests in order: command lines, {@code send <file> <folder>} and {@code reboot}. */
    public List<String> commandsRun() {
        return List.copyOf(commands);
    }

    // ------------------------------------------------------------------------------------------------ StepContext

    @Override
    public long executionId() {
        return 1;
    }

    @Override
    public Step step() {
        return step;
    }

    @Override
    public long machineId() {
        return 1;
    }

    @Override
    public PlanTarget target() {
        return target;
    }

    @Override
    public Instant deadline() {
        return deadline;
    }

    @Override
    public void progress(long done, long total, String unit) {
        if (done < 0 || (total >= 0 && done > total) || unit == null || unit.isBlank()) {
            throw new PluginAssertionError("progress " + done + " of " + total + " " + unit
                    + ": done must be 0 to total (total -1 when unknown) with a unit");
        }
        progress.add(new Progress(done, total, unit));
    }

    @Override
    public boolean isStopped() {
        return stopped;
    }

    @Override
    public void onStop(Runnable action) {
        onStop.add(action);
        if (stopped) {
            action.run();
        }
    }

    @Override
    public void log(String line) {
        log.add(line);
    }

    @Override
    public void explainTimeout(String explanation) {
        timeoutExplanation = explanation;
    }

    /** What the step said its execution's time-out would mean, if it said anything (null otherwise). */
    public String timeoutExplanation() {
        return timeoutExplanation;
    }

    @Override
    public AgentHandle agent() {
        return agent;
    }

    @Override
    public BootControl boot() {
        return bootControl;
    }

    @Override
    public PowerHandle power() {
        return power;
    }

    @Override
    public ImageStore images() {
        return images;
    }

    @Override
    public String publish(String name, byte[] content, String mediaType) {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new PluginAssertionError("a published file's name is 1 to 100 letters, digits, '.', '_' or '-',"
                    + " not '" + name + "'");
        }
        // As the core answers: the path below the server's HTTP root, with a token of the real shape.
        String url = "/opendpm/boot/published/" + "t".repeat(43) + "/" + name;
        published.add(new Published(name, content.clone(), mediaType, url));
        return url;
    }

    private final AgentHandle agent = new AgentHandle() {
        @Override
        public CompletionStage<ImageResult> backup(Backup backup) {
            backups.add(backup);
            return answer(backupAnswers, backup);
        }

        @Override
        public CompletionStage<ImageResult> restore(Restore restore) {
            restores.add(restore);
            return answer(restoreAnswers, restore);
        }

        @Override
        public CompletionStage<ImageResult> restore(Restore restore, Multicast multicast) {
            multicasts.add(Objects.requireNonNull(multicast, "multicast"));
            return restore(restore);
        }

        private <T> CompletionStage<ImageResult> answer(Function<T, ImageResult> answers, T request) {
            try {
                ImageResult result = answers.apply(request);
                return result == null
                        ? CompletableFuture.failedFuture(new PluginAssertionError("the test's script answered null"
                                + " for " + request))
                        : CompletableFuture.completedFuture(result);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public boolean isConnected(Kind kind) {
            Kind c = connected;
            return c != null && (kind == Kind.ANY || c == kind);
        }

        @Override
        public CompletionStage<Void> awaitConnection(Kind kind, boolean afterPowerOn) {
            return isConnected(kind)
                    ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.failedFuture(new StepFailedException("the " + kind + " agent did not connect"
                            + " (the test connected " + connected + ")"));
        }

        @Override
        public CompletionStage<CommandResult> run(String commandLine, Duration timeout) {
            commands.add(commandLine);
            try {
                return CompletableFuture.completedFuture(commandAnswers.apply(commandLine));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public CompletionStage<PackageOutcome> install(PackageInstall install) {
            installs.add(install);
            try {
                PackageOutcome outcome = installAnswers.apply(install);
                return outcome == null
                        ? CompletableFuture.failedFuture(new PluginAssertionError("the test's script answered null"
                                + " for " + install.name()))
                        : CompletableFuture.completedFuture(outcome);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public CompletionStage<Void> send(String serverFile, String targetFolder, String permissions) {
            commands.add("send " + serverFile + " " + targetFolder);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<StreamResult> receive(String source, Map<String, String> parameters,
                WritableByteChannel sink) {
            byte[] data;
            synchronized (streams) {
                data = streams.get(source + ":" + parameters.get("path"));
            }
            if (data == null) {
                return CompletableFuture.failedFuture(new StepFailedException("the agent has no " + source + " "
                        + parameters));
            }
            try {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    sink.write(b);
                }
                return CompletableFuture.completedFuture(new StreamResult(data.length, sha256(data)));
            } catch (IOException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public CompletionStage<Void> reboot() {
            commands.add("reboot");
            return CompletableFuture.completedFuture(null);
        }
    };

    private final BootControl bootControl = new BootControl() {
        @Override
        public void deployOs() {
            boot.add(new BootEvent("deployOs", null, true));
        }

        @Override
        public void next(BootIntent intent, boolean oneShot) {
            boot.add(new BootEvent("next", intent, oneShot));
        }

        @Override
        public void clear() {
            boot.add(new BootEvent("clear", null, false));
        }
    };

    private final PowerHandle power = new PowerHandle() {
        @Override
        public String driver() {
            return "test";
        }

        @Override
        public CompletionStage<PowerState> state() {
            return CompletableFuture.completedFuture(powerState);
        }

        @Override
        public CompletionStage<Void> set(PowerOperation operation) {
            powerOperations.add(operation);
            powerState = operation == PowerOperation.OFF ? PowerState.OFF : PowerState.ON;
            return CompletableFuture.completedFuture(null);
        }
    };

    private final ImageStore images = new ImageStore() {
        @Override
        public boolean exists(String name) throws IOException {
            return Files.isRegularFile(image(name));
        }

        @Override
        public SeekableByteChannel open(String name) throws IOException {
            return Files.newByteChannel(image(name), StandardOpenOption.READ);
        }

        @Override
        public NewImage create(String name, long expectedBytes) throws IOException {
            Path target = image(name);
            Files.createDirectories(imageFolder);
            Path temp = Files.createTempFile(imageFolder, ".new-", ".part");
            WritableByteChannel channel = Files.newByteChannel(temp, StandardOpenOption.WRITE);
            return new NewImage() {
                private boolean committed;

                @Override
                public WritableByteChannel channel() {
                    return channel;
                }

                @Override
                public SeekableByteChannel readBack() throws IOException {
                    return Files.newByteChannel(temp, StandardOpenOption.READ);
                }

                @Override
                public void commit() throws IOException {
                    channel.close();
                    try {
                        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING,
                                StandardCopyOption.ATOMIC_MOVE);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    committed = true;
                }

                @Override
                public void close() throws IOException {
                    channel.close();
                    if (!committed) {
                        Files.deleteIfExists(temp);
                    }
                }
            };
        }

        private Path image(String name) throws IOException {
            Path p = imageFolder.resolve(name).normalize();
            if (!p.startsWith(imageFolder.normalize()) || p.equals(imageFolder.normalize())) {
                throw new NoSuchFileException(name, null, "outside the image folder");
            }
            return p;
        }
    };

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For failure messages. */
    @Override
    public String toString() {
        return "TestStepContext[" + step.name() + ", progress " + progress + ", log " + new ArrayList<>(log) + "]";
    }
}
