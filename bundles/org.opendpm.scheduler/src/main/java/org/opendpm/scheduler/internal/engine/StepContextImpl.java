package org.opendpm.scheduler.internal.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.opendpm.api.agent.AgentPowerAction;
import org.opendpm.api.boot.BootIntentService;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.api.inventory.PowerState;
import org.opendpm.scheduler.internal.engine.ExecutionTable.MachineRow;
import org.opendpm.scheduler.internal.images.multicast.MulticastSessions;
import org.opendpm.scheduler.internal.images.transfer.AgentReturn;
import org.opendpm.scheduler.internal.images.transfer.MachineFacts;
import org.opendpm.scheduler.internal.images.transfer.TransferStep;
import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.BootControl;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.ImageStore;
import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.PowerHandle;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The context of one step of one execution. Progress and log lines are kept here and written by the engine's tick;
 * every request the step makes through its handles is remembered, so stopping the step cancels them (and the agent
 * link tells the agent to stop).
 */
final class StepContextImpl implements StepContext {

    private static final Logger LOG = LoggerFactory.getLogger(StepContextImpl.class);
    private static final int MAX_PENDING_LINES = 200;

    private final EngineServices services;
    private final long executionId;
    private final int index;
    private final Step step;
    private final MachineRow machine;
    private final PlanTarget target;
    private final Instant deadline;
    private final Consumer<String> warnings;
    private final Runnable powerOnError;

    private volatile boolean stopped;
    private volatile String timeoutExplanation;
    private final List<Runnable> onStop = new CopyOnWriteArrayList<>();
    private final List<CompletableFuture<?>> requests = new CopyOnWriteArrayList<>();
    private final Queue<String> pendingLines = new ConcurrentLinkedQueue<>();
    private final AtomicInteger droppedLines = new AtomicInteger();
    private volatile Progress progress;
    private volatile boolean progressDirty;

    record Progress(long done, long total, String unit) {
    }

    StepContextImpl(EngineServices services, long executionId, int index, Step step, MachineRow machine,
            PlanTarget target, Instant deadline, Runnable powerOnError, Consumer<String> warnings) {
        this.services = services;
        this.executionId = executionId;
        this.index = index;
        this.step = step;
        this.machine = machine;
        this.target = target;
        this.deadline = deadline;
        this.powerOnError = powerOnError;
        this.warnings = warnings;
    }

    int index() {
        return index;
    }

    @Override
    public long executionId() {
        return executionId;
    }

    @Override
    public Step step() {
        return step;
    }

    @Override
    public long machineId() {
        return machine.id();
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
        progress = new Progress(Math.max(0, done), total < 0 ? -1 : total, unit == null ? "" : unit);
        progressDirty = true;
    }

    /** The progress not yet written, once. */
    Optional<Progress> takeProgress() {
        if (!progressDirty) {
            return Optional.empty();
        }
        progressDirty = false;
        return Optional.ofNullable(progress);
    }

    /** The lines not yet written. */
    List<String> takeLines() {
        List<String> out = new ArrayList<>();
        for (String l; (l = pendingLines.poll()) != null;) {
            out.add(l);
        }
        int dropped = droppedLines.getAndSet(0);
        if (dropped > 0) {
            out.add("(" + dropped + " lines logged too fast were not kept)");
        }
        return out;
    }

    @Override
    public boolean isStopped() {
        return stopped;
    }

    @Override
    public void onStop(Runnable action) {
        onStop.add(action);
        if (stopped && onStop.remove(action)) {
            runQuietly(action);
        }
    }

    /** Stops the step: its requests are cancelled and its stop actions run. */
    void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        for (CompletableFuture<?> r : requests) {
            r.cancel(true);
        }
        for (Runnable a : onStop) {
            if (onStop.remove(a)) {
                runQuietly(a);
            }
        }
    }

    private void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warn("Execution {}: a stop action of step {} failed", executionId, step.name(), e);
        }
    }

    @Override
    public void explainTimeout(String explanation) {
        timeoutExplanation = explanation == null || explanation.isBlank()
                ? null
                : explanation.strip().substring(0, Math.min(500, explanation.strip().length()));
    }

    /** What the step said the execution's time-out would mean, or null. */
    String timeoutExplanation() {
        return timeoutExplanation;
    }

    @Override
    public void log(String line) {
        if (line == null) {
            return;
        }
        if (pendingLines.size() >= MAX_PENDING_LINES) {
            droppedLines.incrementAndGet();
            return;
        }
        pendingLines.add(line.length() > StepTable.MAX_LINE ? line.substring(0, StepTable.MAX_LINE) : line);
    }

    private <T> CompletableFuture<T> track(CompletionStage<T> stage) {
        CompletableFuture<T> f = stage.toCompletableFuture();
        requests.add(f);
        f.whenComplete((v, e) -> requests.remove(f));
        if (stopped) {
            f.cancel(true);
        }
        return f;
    }

    // ------------------------------------------------------------------------------------------------ agent

    @Override
    public AgentHandle agent() {
        return agent;
    }

    private final AgentHandle agent = new AgentHandle() {
        @Override
        public CompletionStage<ImageResult> backup(Backup backup) {
            return inDeployOs(() -> services.transfers().backup(facts(), backup, transferStep, agentReturn));
        }

        @Override
        public CompletionStage<ImageResult> restore(Restore restore) {
            return inDeployOs(() -> services.transfers().restore(facts(), restore, transferStep, agentReturn));
        }

        /** NET-4 again here: the DHCP server may have been switched off since the execution was requested. */
        @Override
        public CompletionStage<ImageResult> restore(Restore restore, Multicast multicast) {
            java.util.Objects.requireNonNull(multicast, "multicast");
            if (!services.settings().get().useDhcpServer()) {
                return CompletableFuture.failedFuture(
                        new StepFailedException(Net4.refusal("The restore step on machine " + machine.name(),
                                "a multicast restore of image " + restore.imageName())));
            }
            Optional<MulticastSessions> sessions = services.multicast().get();
            if (sessions.isEmpty()) {
                return CompletableFuture.failedFuture(new StepFailedException("Image " + restore.imageName()
                        + " cannot be restored by multicast onto machine " + machine.name() + ": the server's"
                        + " multicast sender is not running"));
            }
            return inDeployOs(() -> services.transfers().restoreByMulticast(facts(), restore, transferStep,
                    (image, disks, total, progress) -> sessions.get().ready(new MulticastSessions.Ready(executionId,
                            machine.id(), machine.name(), restore.imageName(), image, disks, restore.compare(), total,
                            multicast, progress))));
        }

        @Override
        public boolean isConnected(Kind kind) {
            return services.agents().agent(machine.id()).filter(a -> AgentWaits.accepts(kind, a)).isPresent();
        }

        @Override
        public CompletionStage<Void> awaitConnection(Kind kind, boolean afterPowerOn) {
            Instant expires = afterPowerOn ? powerOnDeadline() : deadline;
            String message = afterPowerOn
                    ? "Remote Power ON Error: machine " + machine.name() + " did not come up"
                            + (kind == Kind.DEPLOY_OS ? " in its Deploy-OS" : "") + " within "
                            + services.settings().get().remotePowerOnTimeoutMinutes() + " minutes"
                    : "the agent of machine " + machine.name() + " did not connect"
                            + (kind == Kind.INSTALLED_OS ? " from its installed OS" : "")
                            + (kind == Kind.DEPLOY_OS ? " from its Deploy-OS" : "");
            return track(services.waits().await(machine.id(), kind, !afterPowerOn, expires, message, afterPowerOn)
                    .whenComplete((a, e) -> {
                        if (e instanceof AgentWaits.RemotePowerOnTimeout) {
                            powerOnError.run();
                        }
                    }).thenApply(a -> (Void) null));
        }

        @Override
        public CompletionStage<CommandResult> run(String commandLine, Duration timeout) {
            return withAgent(() -> services.agents().runCommand(machine.id(), commandLine, timeout))
                    .thenApply(r -> new CommandResult(r.exitCode(), r.output()));
        }

        @Override
        public CompletionStage<PackageOutcome> install(PackageInstall install) {
            org.opendpm.api.agent.PackageInstallRequest request = new org.opendpm.api.agent.PackageInstallRequest(
                    install.name(), org.opendpm.api.agent.PackageInstallRequest.Installer.valueOf(install.installer()
                            .name()),
                    install.files(), install.command(), install.timeout());
            return withAgent(() -> services.agents().installPackage(machine.id(), request))
                    .thenApply(r -> new PackageOutcome(r.exitCode(), r.output(), r.elapsed()));
        }

        @Override
        public CompletionStage<Void> send(String serverFile, String targetFolder, String permissions) {
            return withAgent(() -> services.agents().sendFile(machine.id(), services.files().resolve(serverFile),
                    targetFolder, permissions));
        }

        @Override
        public CompletionStage<StreamResult> receive(String source, java.util.Map<String, String> parameters,
                java.nio.channels.WritableByteChannel sink) {
            return withAgent(() -> services.agents().readStream(machine.id(), source, parameters, data -> {
                while (data.hasRemaining()) {
                    sink.write(data);
                }
            }, StepContextImpl.this::progress)).thenApply(r -> new StreamResult(r.bytes(), r.sha256()));
        }

        @Override
        public CompletionStage<Void> reboot() {
            return track(services.agents().power(machine.id(), AgentPowerAction.REBOOT));
        }
    };

    /** What a backup or restore reports through this step. */
    private final TransferStep transferStep = new TransferStep() {
        @Override
        public void warn(String line) {
            StepContextImpl.this.log("Warning: " + line);
            warnings.accept(line);
        }

        @Override
        public void progress(long done, long total) {
            StepContextImpl.this.progress(done, total, "bytes");
        }

        @Override
        public void log(String line) {
            StepContextImpl.this.log(line);
        }

        @Override
        public void onStop(Runnable action) {
            StepContextImpl.this.onStop(action);
        }
    };

    /** A transfer whose link was lost waits for the Deploy-OS agent to come back (its window is the transfer's). */
    private final AgentReturn agentReturn = (machineId, until) -> StepContextImpl.this.services.waits().await(
            machineId, AgentHandle.Kind.DEPLOY_OS, true, until, "the agent did not come back", false);

    private MachineFacts facts() {
        return services.transfers().facts(services.inventory().machine(machine.id()));
    }

    /**
     * Image transfers need the agent of the machine's Deploy-OS. It is connected when the step follows the boot into
     * the Deploy-OS; a step carried out again after a server restart gives it the resume window to come back.
     */
    private <T> CompletionStage<T> inDeployOs(Supplier<CompletionStage<T>> transfer) {
        if (agent.isConnected(AgentHandle.Kind.DEPLOY_OS)) {
            return transfer.get();
        }
        Duration window = services.transfers().resumeWindow();
        Instant until = services.clock().instant().plus(window);
        String message = "machine " + machine.name() + " is not running its Deploy-OS: its agent did not connect"
                + " within " + window.toSeconds() + " s, and backup and restore need it";
        return track(services.waits().await(machine.id(), AgentHandle.Kind.DEPLOY_OS, true,
                until.isBefore(deadline) ? until : deadline, message, false)).thenCompose(a -> transfer.get());
    }

    /**
     * Runs an agent request once the machine's agent is connected: a machine that is off (or whose state is unknown)
     * is powered on first and its agent must connect within the Remote Power ON Timeout (SCH-4); a machine that is
     * on gets as long for its agent to come back (after a server restart, say).
     */
    private <T> CompletionStage<T> withAgent(Supplier<CompletionStage<T>> request) {
        if (services.agents().agent(machine.id()).isPresent()) {
            return track(request.get());
        }
        boolean off = services.inventory().machine(machine.id()).powerState() != PowerState.ON;
        String message = "Remote Power ON Error: machine " + machine.name() + " did not come up within "
                + services.settings().get().remotePowerOnTimeoutMinutes() + " minutes";
        CompletableFuture<?> up = track(services.waits().await(machine.id(), AgentHandle.Kind.ANY, true,
                powerOnDeadline(), off ? message : "the agent of machine " + machine.name() + " did not connect",
                off));
        up.whenComplete((a, e) -> {
            if (e instanceof AgentWaits.RemotePowerOnTimeout) {
                powerOnError.run();
            }
        });
        CompletionStage<Void> kick = off ? power.set(PowerOperation.ON) : CompletableFuture.completedFuture(null);
        return kick.thenCompose(v -> up).thenCompose(a -> track(request.get()));
    }

    /** The Remote Power ON Timeout (SCH-4), within the execution's own time-out. */
    private Instant powerOnDeadline() {
        Instant limit = services.clock().instant()
                .plus(Duration.ofMinutes(services.settings().get().remotePowerOnTimeoutMinutes()));
        return limit.isBefore(deadline) ? limit : deadline;
    }

    // ------------------------------------------------------------------------------------------------ boot

    @Override
    public BootControl boot() {
        return boot;
    }

    private final BootControl boot = new BootControl() {
        @Override
        public void deployOs() {
            BootIntentService intents = bootIntents();
            services.sessions().get().orElseThrow(() -> new StepFailedException("Deploy-OS sessions are not "
                    + "available (feature opendpm-netboot): the Deploy-OS could not prove itself"))
                    .issue(machine.id(), executionId, deadline);
            intents.set(machine.id(), NextBoot.deployOs(Optional.empty(), true), "execution " + executionId);
        }

        @Override
        public void next(BootIntent intent, boolean oneShot) {
            NextBoot next;
            if (intent instanceof BootIntent.LocalDisk) {
                next = NextBoot.localDisk(oneShot);
            } else if (intent instanceof BootIntent.DeployOsBoot d) {
                next = NextBoot.deployOs(Optional.of(d.deployOs().id()), oneShot);
            } else if (intent instanceof BootIntent.OsInstaller i) {
                next = NextBoot.osInstaller(i.kernel(), i.initrd(), i.bootArguments(), oneShot);
            } else if (intent instanceof BootIntent.MemdiskFloppy f) {
                next = NextBoot.memdiskFloppy(f.memdisk(), f.image(), oneShot);
            } else if (intent instanceof BootIntent.EfiApplication a) {
                next = NextBoot.efiApplication(a.application(), a.arguments(), oneShot);
            } else {
                throw new StepFailedException("Network boot of this server cannot carry out "
                        + intent.getClass().getSimpleName());
            }
            bootIntents().set(machine.id(), next, "execution " + executionId);
        }

        @Override
        public void clear() {
            bootIntents().clear(machine.id());
        }
    };

    private BootIntentService bootIntents() {
        return services.bootIntents().get().orElseThrow(() -> new StepFailedException("network boot is not "
                + "installed (feature opendpm-netboot): the machine's next boot cannot be set"));
    }

    // ------------------------------------------------------------------------------------------------ power

    @Override
    public PowerHandle power() {
        return power;
    }

    private final PowerHandle power = new PowerHandle() {
        @Override
        public String driver() {
            return services.power().driverKey(machine.powerMachine());
        }

        @Override
        public CompletionStage<org.opendpm.spi.PowerState> state() {
            return track(services.power().state(machine.powerMachine()));
        }

        @Override
        public CompletionStage<Void> set(PowerOperation operation) {
            return track(services.power().set(machine.powerMachine(), operation)).thenRun(() -> {
                if (operation == PowerOperation.OFF) {
                    services.inventory().setPowerState(machine.id(), PowerState.OFF);
                }
            });
        }
    };

    // ------------------------------------------------------------------------------------------------ the rest

    @Override
    public ImageStore images() {
        return services.images();
    }

    @Override
    public String publish(String name, byte[] content, String mediaType) {
        return services.published().get().orElseThrow(() -> new StepFailedException("network boot is not "
                + "installed (feature opendpm-netboot): files cannot be published"))
                .publish(executionId, name, content, mediaType, deadline);
    }
}
