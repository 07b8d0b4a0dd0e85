package org.opendpm.scheduler.internal.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.StoreUnavailableException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.agent.AgentListener;
import org.opendpm.api.boot.BootIntentService;
import org.opendpm.api.execution.ExecuteRequest;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionService;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.execution.ResultPage;
import org.opendpm.api.execution.ResultQuery;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.api.scenario.ScenarioService;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.scheduler.internal.engine.ExecutionTable.MachineRow;
import org.opendpm.scheduler.internal.files.ServerFiles;
import org.opendpm.scheduler.internal.power.PowerDrivers;
import org.opendpm.scheduler.internal.images.ImageFolder;
import org.opendpm.scheduler.internal.images.multicast.MulticastSessions;
import org.opendpm.scheduler.internal.images.transfer.ImageTransfers;
import org.opendpm.api.boot.DeployOsSessions;
import org.opendpm.api.boot.PublishedFiles;
import org.opendpm.api.execution.ExecutionStep;
import org.opendpm.spi.StepExecutor;
import org.opendpm.spi.StepFailedException;
import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.Step;
import org.opendpm.store.Database;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The execution engine (EXE-1 to EXE-9): a state machine whose state is the {@code execution} and
 * {@code execution_step} tables.
 *
 * <p>One thread, the loop, makes every state change after a request is accepted: it starts waiting executions while
 * fewer than "Machines for Simultaneous Execution" run (EXE-4), has each planned off the loop by its scenario types,
 * stores the plan step by step, and carries the steps out through their {@link StepExecutor}s (each step answers
 * later, and the answer comes back onto the loop); it ends executions past their time-out (EXE-5) and stops their
 * step, which cancels what the step asked of the agent. Plugins are called only through {@link PluginCalls}: off the
 * loop, under a time bound, never inside a transaction, so a plugin that hangs or throws fails its own execution and
 * nothing else. On start the engine carries on with what an earlier run of this server left running: a resumable
 * step runs again from its start, any other ends the execution with an error naming the step.
 */
@Component(service = { ExecutionService.class, AgentListener.class }, immediate = true)
public class ExecutionEngine implements ExecutionService, AgentListener {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutionEngine.class);
    /** How long one plugin call (planning, starting a step) may take. */
    static final Duration PLUGIN_CALL_BOUND = Duration.ofSeconds(30);
    /** Plugin calls that may wait for a thread: each running execution has at most one in flight (at most 1,000). */
    static final int MAX_QUEUED_CALLS = 4096;

    private final Database database;
    private final PluginRegistry plugins;
    private final InventoryService inventory;
    private final ServerSettingsService settings;
    /** Optional: without network boot installed, steps that set the next boot fail with a clear error. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile BootIntentService bootIntents;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile DeployOsSessions sessions;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PublishedFiles published;
    /** Optional: without the multicast sender, a multicast restore fails with a clear error. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MulticastSessions multicast;
    private final EngineServices services;
    private final ExecutionRequests requests;
    private final PluginCalls calls;
    private final ExecutionPlanner planner;
    private final ScheduledExecutorService loop;
    private final Clock clock;
    /** The server that owns what this engine starts (see {@code execution.owner}). */
    private final String owner;

    /** Running executions by id; touched on the loop only. */
    private final Map<Long, Run> runs = new HashMap<>();
    private final ExecutionEnds ends;
    private final StepBegins begins;
    private final ExecutionRecovery recovery;
    private final AgentWaits waits;
    private volatile boolean recovered;

    @Activate
    public ExecutionEngine(@Reference Database database, @Reference ScenarioService scenarios,
            @Reference PluginRegistry plugins, @Reference InventoryService inventory,
            @Reference ServerSettingsService settings, @Reference AgentLink agents, @Reference PowerDrivers power,
            @Reference ServerFiles serverFiles, @Reference ImageFolder images, @Reference ImageTransfers transfers) {
        this(database, scenarios, plugins, inventory, settings, agents, power, serverFiles, images, transfers, null,
                null, null, null, Clock.systemUTC(), PLUGIN_CALL_BOUND);
    }

    ExecutionEngine(Database database, ScenarioService scenarios, PluginRegistry plugins, InventoryService inventory,
            ServerSettingsService settings, AgentLink agents, PowerDrivers power, ServerFiles serverFiles,
            org.opendpm.spi.ImageStore images, ImageTransfers transfers, BootIntentService bootIntents,
            DeployOsSessions sessions,
            PublishedFiles published, MulticastSessions multicast, Clock clock, Duration pluginCallBound) {
        this.clock = clock;
        this.database = database;
        this.plugins = plugins;
        this.inventory = inventory;
        this.settings = settings;
        this.bootIntents = bootIntents;
        this.sessions = sessions;
        this.published = published;
        this.multicast = multicast;
        this.owner = System.getProperty("opendpm.node", "local");
        this.waits = new AgentWaits(agents);
        this.services = new EngineServices(agents, waits, power, inventory, serverFiles, settings, images, transfers,
                () -> Optional.ofNullable(this.bootIntents), () -> Optional.ofNullable(this.sessions),
                () -> Optional.ofNullable(this.published), () -> Optional.ofNullable(this.multicast), clock);
        this.calls = new PluginCalls("opendpm-plugin-call", 64, MAX_QUEUED_CALLS, pluginCallBound);
        this.requests = new ExecutionRequests(database, scenarios, plugins, settings, calls, clock);
        this.planner = new ExecutionPlanner(scenarios, plugins);
        this.ends = new ExecutionEnds(database, clock, () -> this.sessions, () -> this.published,
                () -> submit(this::flushEnds), run -> runs.remove(run.id));
        this.begins = new StepBegins(database, clock, () -> submit(this::flushBegins));
        this.recovery = new ExecutionRecovery(database, settings, clock, owner);
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "opendpm-execution");
            t.setDaemon(true);
            return t;
        });
        // Before the service is used: nothing a previous process left running may be shown as running.
        try {
            ensureRecovered();
        } catch (StoreUnavailableException e) {
            LOG.info("Execution engine waits for the database to recover what a previous run left running");
        }
        loop.scheduleWithFixedDelay(this::tick, 0, 1, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        // Let the task at hand finish its transaction; interrupting Derby mid-statement breaks the connection.
        loop.shutdown();
        try {
            if (!loop.awaitTermination(5, TimeUnit.SECONDS)) {
                loop.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        calls.close();
    }

    // ---------------------------------------------------------------- requests

    @Override
    public List<Execution> execute(ExecuteRequest request) {
        ensureRecovered();
        List<Execution> created = requests.execute(request);
        submit(this::dispatch);
        return created;
    }

    // The lists (active, results) read uncommitted rows: a list read while the loop writes a batch must neither
    // fail on a deadlock with it nor hold it up. What they may see early is a batch being written; one that fails
    // is written again by the next tick, so a row that is rolled back shows for a moment only. One execution, its
    // steps and its log are read committed, one row at a time (no deadlock, at most a wait for the batch), so a
    // client that saw an execution end reads all its end wrote.

    @Override
    public List<Execution> active() {
        ensureRecovered();
        return database.readUncommitted(ExecutionTable::active);
    }

    @Override
    public Execution execution(long id) {
        ensureRecovered();
        return database.inTransaction(c -> ExecutionTable.find(c, id))
                .orElseThrow(() -> new NotFoundException("No execution with id " + id));
    }

    @Override
    public Execution cancel(long id, String by) {
        Execution e = execution(id);
        if (e.state().finished()) {
            throw new ConflictException("Execution " + id + " has ended already (" + e.state() + ")");
        }
        await(submit(() -> {
            Run run = runs.get(id);
            if (run != null) {
                ends.finish(run, ExecutionState.CANCELLED, "Cancelled by " + by + " at " + run.where());
                flushEnds();
            } else {
                database.inTransaction(c -> ExecutionTable.end(c, id, ExecutionState.CANCELLED,
                        "Cancelled by " + by + " before it started", clock.instant()));
            }
        }));
        return execution(id);
    }

    @Override
    public ResultPage results(ResultQuery query) {
        ensureRecovered();
        if (query.limit() < 1 || query.limit() > 1000) {
            throw new ValidationException("limit", "must be from 1 to 1000, not " + query.limit());
        }
        if (query.offset() < 0) {
            throw new ValidationException("offset", "must not be negative");
        }
        return database.readUncommitted(c -> new ResultPage(ExecutionTable.countResults(c, query),
                ExecutionTable.results(c, query)));
    }

    @Override
    public boolean removeError(long machineId) {
        Machine m = inventory.machine(machineId);
        if (!ExecutionRequests.ERROR_STATUSES.contains(m.status())) {
            return false;
        }
        inventory.setStatus(machineId, MachineStatus.NONE);
        LOG.info("Error status \"{}\" of machine {} removed", m.status().label(), m.name());
        return true;
    }

    @Override
    public List<ExecutionStep> steps(long executionId) {
        execution(executionId);
        return database.inTransaction(c -> StepTable.steps(c, executionId));
    }

    @Override
    public List<ExecutionStep.LogLine> log(long executionId) {
        execution(executionId);
        return database.inTransaction(c -> StepTable.log(c, executionId));
    }

    // ---------------------------------------------------------------- agent events

    @Override
    public void connected(AgentInfo agent) {
        waits.connected(agent);
    }

    @Override
    public void disconnected(AgentInfo agent, String reason) {
        // Requests in flight fail on their own (the link completes them); a step waiting for a reboot expects this.
    }

    // ---------------------------------------------------------------- the loop

    private void tick() {
        try {
            ensureRecovered();
            Instant now = clock.instant();
            flushEnds();
            flushBegins();
            resume();
            for (Run run : new ArrayList<>(runs.values())) {
                if (run.pendingEnd == null && now.isAfter(run.deadline)) {
                    ends.finish(run, ExecutionState.TIMED_OUT, run.timeoutMessage());
                }
            }
            waits.expire(now);
            StepReports.flush(database, runs.values(), now);
            dispatch();
        } catch (StoreUnavailableException e) {
            LOG.debug("Execution engine waits for the database: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Execution engine tick failed", e);
        }
    }

    /**
     * Recovers once, before anything about executions is read or changed: the database may come up after this
     * component, and a request must not see an execution a dead process left running as if it were running here.
     */
    private void ensureRecovered() {
        if (!recovered) {
            synchronized (this) {
                if (!recovered) {
                    recovery.recover();
                    recovered = true;
                }
            }
        }
    }

    /** Carries out again the steps recovered at start; on the loop. */
    private void resume() {
        for (Run run : recovery.takeResumable()) {
            LOG.info("Execution {} of scenario {} on machine {} resumes at {}", run.id, run.scenarioName,
                    run.machine.name(), run.where());
            runs.put(run.id, run);
            begin(run, run.plan, run.step, true, false);
        }
    }

    /** Starts waiting executions while there is room, in batches: one transaction starts many. */
    private void dispatch() {
        if (!recovered) {
            return;
        }
        while (true) {
            int free = settings.get().machinesForSimultaneousExecution() - runs.size();
            if (free <= 0) {
                return;
            }
            int want = Math.min(free, 500);
            List<Long> waiting = database.inTransaction(c -> ExecutionTable.waiting(c, want));
            if (waiting.isEmpty()) {
                return;
            }
            startAll(waiting);
            if (waiting.size() < want) {
                return;
            }
        }
    }

    /** Marks the executions running (so nothing else starts them) and has each planned off the loop. */
    private void startAll(List<Long> ids) {
        Instant now = clock.instant();
        int timeout = settings.get().scenarioTimeoutMinutes();
        Instant deadline = now.plus(Duration.ofMinutes(timeout));
        Map<Long, Execution> byId = new HashMap<>();
        List<Run> started = database.inTransaction(c -> {
            List<Execution> rows = ExecutionTable.byIds(c, ids);
            rows.forEach(e -> byId.put(e.id(), e));
            Map<Long, MachineRow> machines = ExecutionTable.machines(c,
                    rows.stream().map(Execution::machineId).toList());
            List<Run> ok = new ArrayList<>();
            for (Execution e : rows) {
                MachineRow machine = machines.get(e.machineId());
                if (machine == null) {
                    ExecutionTable.end(c, e.id(), ExecutionState.FAILED, "Machine " + e.machineName()
                            + " was deleted before the execution started", now);
                } else if (ExecutionTable.start(c, e.id(), owner, now, deadline)) {
                    ExecutionTable.setMachineStatus(c, machine.id(), MachineStatus.SCENARIO_EXECUTING);
                    ok.add(new Run(e.id(), machine, e.scenarioName(), null, deadline, timeout));
                }
            }
            return ok;
        });
        ServerSettings server = settings.get();
        ExecutionPlanner.Batch batch = planner.batch();
        for (Run run : started) {
            runs.put(run.id, run);
            Execution e = byId.get(run.id);
            calls.call("Planning of scenario " + run.scenarioName, () -> batch.plan(e, run.machine, server))
                    .whenComplete((plan, error) -> submit(() -> planned(run, plan, error)));
        }
    }

    /** The plan is made (or failed): store it step by step and carry out the first. On the loop. */
    private void planned(Run run, List<Step> plan, Throwable error) {
        if (runs.get(run.id) != run || run.pendingEnd != null) {
            return; // cancelled or timed out while it was planned
        }
        if (error != null) {
            ends.finish(run, ExecutionState.FAILED, reason(error));
            return;
        }
        begin(run, plan, 0, false, true);
    }

    /** Begins step {@code index} of {@code plan} (written with the others of this moment), or completes the run. */
    private void begin(Run run, List<Step> plan, int index, boolean again, boolean storePlan) {
        if (index == plan.size()) {
            ends.finish(run, ExecutionState.COMPLETED, "");
            return;
        }
        begins.add(new StepBegins.Begin(run, plan, index, again, storePlan));
    }

    private void flushBegins() {
        begins.flush(b -> runs.get(b.run().id) == b.run() && b.run().pendingEnd == null,
                b -> carryOut(b.run(), b.index(), b.again()), run -> runs.remove(run.id));
    }

    /** Hands the written step to its executor; the answer comes back onto the loop. */
    private void carryOut(Run run, int index, boolean again) {
        Step step = run.plan.get(index);
        PlanTarget target = new PlanTarget(run.machine.name(), run.machine.primaryMac(), run.machine.model(),
                Optional.empty(), run.machine.uuid());
        StepContextImpl ctx = new StepContextImpl(services, run.id, index, step, run.machine, target, run.deadline,
                () -> run.powerOnError = true, run.warnings::add);
        run.context = ctx;
        if (again) {
            ctx.log("Resumed after the server restarted");
        }
        Optional<StepExecutor> executor = plugins.stepExecutor(step.executor());
        CompletableFuture<Void> done;
        if (executor.isEmpty()) {
            done = CompletableFuture.failedFuture(new StepFailed("the step executor '" + step.executor()
                    + "' is not installed"));
        } else {
            done = calls.call("Step executor '" + step.executor() + "'", () -> executor.get().execute(ctx))
                    .thenCompose(stage -> stage == null ? CompletableFuture.<Void>completedFuture(null) : stage);
        }
        done.whenComplete((v, error) -> submit(() -> stepDone(run, index, error)));
    }

    private void stepDone(Run run, int index, Throwable error) {
        if (runs.get(run.id) != run || run.step != index || run.pendingEnd != null) {
            return; // ended meanwhile (time-out, cancel): the late answer changes nothing
        }
        StepReports.stepEnded(run, clock.instant());
        if (error == null) {
            begin(run, run.plan, index + 1, false, false);
            return;
        }
        String where = run.where();
        ends.finish(run, ExecutionState.FAILED, Character.toUpperCase(where.charAt(0)) + where.substring(1)
                + " failed: " + reason(error));
    }

    private static String reason(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof OpenDpmException || cause instanceof StepFailedException
                ? cause.getMessage()
                : cause.toString();
    }

    /** Writes the ends of runs that ended since the last flush, then starts waiting executions in their place. */
    private void flushEnds() {
        if (ends.flush()) {
            dispatch();
        }
    }

    // ---------------------------------------------------------------- plumbing

    private java.util.concurrent.Future<?> submit(Runnable task) {
        try {
            return loop.submit(() -> {
                try {
                    task.run();
                } catch (StoreUnavailableException e) {
                    LOG.warn("Execution engine: {}", e.getMessage());
                } catch (RuntimeException e) {
                    LOG.error("Execution engine task failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null); // stopping: the next start recovers
        }
    }

    private static void await(java.util.concurrent.Future<?> f) {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Execution engine did not answer", e);
        }
    }

    /** A step or plan that cannot go on; its message is for the administrator. */
    static class StepFailed extends OpenDpmException {
        private static final long serialVersionUID = 1L;

        StepFailed(String message) {
            super(message);
        }
    }
}
