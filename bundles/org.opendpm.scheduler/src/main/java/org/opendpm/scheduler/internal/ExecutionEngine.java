package org.opendpm.scheduler.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.opendpm.api.agent.AgentPowerAction;
import org.opendpm.api.boot.BootIntentService;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.api.execution.ExecuteRequest;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionService;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.execution.ResultPage;
import org.opendpm.api.execution.ResultQuery;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.inventory.PowerState;
import org.opendpm.api.plugin.DeployOsResolution;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.api.scenario.Executability;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioService;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.scheduler.internal.ExecutionTable.MachineRow;
import org.opendpm.scheduler.internal.ExecutionTable.NewExecution;
import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.PowerOperation;
import org.opendpm.spi.ScenarioType;
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
 * The execution engine (EXE-1 to EXE-9): a state machine whose state is the {@code execution} table.
 *
 * <p>One thread, the loop, makes every state change after a request is accepted: it starts waiting executions while
 * fewer than "Machines for Simultaneous Execution" run (EXE-4), carries out each plan step by step (each step is
 * asynchronous: the agent link, power control and boot intents answer later, and the answer comes back onto the
 * loop), ends executions past their time-out (EXE-5), and on start ends every execution a previous run of the server
 * left running with a clear error, since whatever it was waiting for is gone with that process. Waiting executions
 * survive a restart and are started as usual.
 */
@Component(service = { ExecutionService.class, AgentListener.class }, immediate = true)
public class ExecutionEngine implements ExecutionService, AgentListener {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutionEngine.class);
    static final int MAX_MACHINES_PER_REQUEST = 40_000;
    private static final Set<MachineStatus> ERROR_STATUSES = Set.of(MachineStatus.SCENARIO_EXECUTION_ERROR,
            MachineStatus.SCENARIO_EXECUTION_STOP, MachineStatus.REMOTE_POWER_ON_ERROR);

    private final Database database;
    private final ScenarioService scenarios;
    private final PluginRegistry plugins;
    private final InventoryService inventory;
    private final ServerSettingsService settings;
    private final AgentLink agents;
    private final PowerCommands power;
    /** Optional: without network boot installed, steps that boot the Deploy-OS fail with a clear error. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile BootIntentService bootIntents;
    private final ServerFiles serverFiles;
    private final ScheduledExecutorService loop;
    private final Clock clock;

    /** Running executions by id; touched on the loop only. */
    private final Map<Long, Run> runs = new HashMap<>();
    /** Runs whose end is to be written by the next flush; touched on the loop only. */
    private final List<Run> ending = new ArrayList<>();
    private boolean flushQueued;
    /** Steps waiting for a machine's agent to connect, by machine id. */
    private final Map<Long, List<AgentWait>> agentWaits = new ConcurrentHashMap<>();
    private volatile boolean recovered;

    @Activate
    public ExecutionEngine(@Reference Database database, @Reference ScenarioService scenarios,
            @Reference PluginRegistry plugins, @Reference InventoryService inventory,
            @Reference ServerSettingsService settings, @Reference AgentLink agents, @Reference PowerCommands power,
            @Reference ServerFiles serverFiles) {
        this(database, scenarios, plugins, inventory, settings, agents, power, null, serverFiles, Clock.systemUTC());
    }

    ExecutionEngine(Database database, ScenarioService scenarios, PluginRegistry plugins, InventoryService inventory,
            ServerSettingsService settings, AgentLink agents, PowerCommands power, BootIntentService bootIntents,
            ServerFiles serverFiles, Clock clock) {
        this.clock = clock;
        this.database = database;
        this.scenarios = scenarios;
        this.plugins = plugins;
        this.inventory = inventory;
        this.settings = settings;
        this.agents = agents;
        this.power = power;
        this.bootIntents = bootIntents;
        this.serverFiles = serverFiles;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "opendpm-execution");
            t.setDaemon(true);
            return t;
        });
        // Before the service is used: nothing a previous process left running may be shown as running.
        try {
            ensureRecovered();
        } catch (StoreUnavailableException e) {
            LOG.info("Execution engine waits for the database to end what a previous run left running");
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
    }

    // ---------------------------------------------------------------- requests

    @Override
    public List<Execution> execute(ExecuteRequest request) {
        ensureRecovered();
        List<Long> ids = new ArrayList<>(new LinkedHashSet<>(request.machineIds()));
        if (ids.isEmpty()) {
            throw new ValidationException("machineIds", "At least one machine is required");
        }
        if (ids.size() > MAX_MACHINES_PER_REQUEST) {
            throw new ValidationException("machineIds", ids.size() + " machines in one request; the limit is "
                    + MAX_MACHINES_PER_REQUEST);
        }
        ServerSettings server = settings.get();
        Map<Long, ScenarioCheck> checks = new HashMap<>();
        // Checks first, without the lock, so a refused request changes nothing, not even assignments.
        List<Candidate> candidates = database.inTransaction(c -> candidates(c, ids, request, server, checks));
        if (request.allOrNone()) {
            List<String> problems = candidates.stream().filter(x -> x.problem != null).map(x -> x.problem).toList();
            if (!problems.isEmpty()) {
                throw new ConflictException(problems.size() == 1 ? problems.get(0)
                        : problems.size() + " machines cannot execute: " + String.join("; ",
                                problems.subList(0, Math.min(5, problems.size())))
                                + (problems.size() > 5 ? "; …" : ""));
            }
        }
        Instant now = clock.instant();
        List<Execution> created = database.inTransaction(c -> {
            long first = ExecutionTable.lockAndReserve(c, candidates.size());
            // Under the lock: a machine another request started meanwhile is busy now.
            Set<Long> busy = ExecutionTable.busyMachines(c);
            List<NewExecution> rows = new ArrayList<>();
            List<Long> toAssign = new ArrayList<>();
            for (Candidate x : candidates) {
                String problem = x.problem == null && busy.contains(x.machine.id())
                        ? "Machine " + x.machine.name() + " is executing a scenario"
                        : x.problem;
                if (problem != null && request.allOrNone()) {
                    throw new ConflictException(problem);
                }
                if (problem == null) {
                    toAssign.add(x.machine.id());
                }
                rows.add(new NewExecution(x.machine.id(), x.machine.name(), x.scenarioId, x.scenarioName,
                        problem == null ? ExecutionState.WAITING : ExecutionState.FAILED,
                        request.requestedBy(), problem == null ? "" : problem));
            }
            if (request.scenarioId().isPresent() && !toAssign.isEmpty()) {
                // SCN-5 in the same transaction, under the scenario lock, so the scenario cannot go meanwhile.
                Store.lock(c);
                long scenarioId = request.scenarioId().get();
                if (Store.scenario(c, scenarioId).isEmpty()) {
                    throw new NotFoundException("No scenario with id " + scenarioId);
                }
                Store.replaceAssignments(c, toAssign, scenarioId, java.sql.Timestamp.from(now));
            }
            ExecutionTable.insert(c, first, rows, now);
            List<Execution> out = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                NewExecution r = rows.get(i);
                out.add(new Execution(first + i, r.machineId(), r.machineName(), r.scenarioId(), r.scenarioName(),
                        r.state(), 0, 0, "", Optional.empty(), r.requestedBy(), now, Optional.empty(),
                        r.state().finished() ? Optional.of(now) : Optional.empty(),
                        ExecutionTable.cut(r.message(), ExecutionTable.MAX_MESSAGE)));
            }
            return out;
        });
        LOG.info("{} requested {} execution(s)", request.requestedBy(), created.size());
        submit(this::dispatch);
        return created;
    }

    /** A machine of a request, with its scenario and what stops it, if anything. */
    private static final class Candidate {
        final MachineRow machine;
        final long scenarioId;
        final String scenarioName;
        final String problem;

        Candidate(MachineRow machine, long scenarioId, String scenarioName, String problem) {
            this.machine = machine;
            this.scenarioId = scenarioId;
            this.scenarioName = scenarioName;
            this.problem = problem;
        }
    }

    private record ScenarioCheck(Scenario scenario, Executability executability) {
    }

    private List<Candidate> candidates(java.sql.Connection c, List<Long> ids, ExecuteRequest request,
            ServerSettings server, Map<Long, ScenarioCheck> checks) throws java.sql.SQLException {
        Map<Long, MachineRow> machines = ExecutionTable.machines(c, ids);
        Map<Long, Long> assigned = request.scenarioId().isPresent() ? Map.of()
                : ExecutionTable.assignments(c, ids);
        Set<Long> busy = ExecutionTable.busyMachines(c);
        List<Candidate> out = new ArrayList<>();
        for (long id : ids) {
            MachineRow m = machines.get(id);
            if (m == null) {
                if (request.allOrNone()) {
                    throw new NotFoundException("No machine with id " + id);
                }
                LOG.warn("Execution requested by {} for machine id {}, which no longer exists; skipped",
                        request.requestedBy(), id);
                continue;
            }
            Long scenarioId = request.scenarioId().orElse(assigned.get(id));
            if (scenarioId == null) {
                out.add(new Candidate(m, 0, "", "No scenario is assigned to machine " + m.name()));
                continue;
            }
            ScenarioCheck check = checks.computeIfAbsent(scenarioId,
                    s -> new ScenarioCheck(scenarios.scenario(s), scenarios.executability(s)));
            out.add(new Candidate(m, scenarioId, check.scenario().name(), problem(m, check, busy, server)));
        }
        return out;
    }

    /** Why the machine cannot run the scenario now (EXE-2, EXE-3, EXE-8), or null. */
    private String problem(MachineRow m, ScenarioCheck check, Set<Long> busy, ServerSettings server) {
        Scenario s = check.scenario();
        if (!check.executability().executable()) {
            return "Scenario " + s.name() + " cannot be executed: "
                    + check.executability().reason().orElse("unavailable");
        }
        if (busy.contains(m.id()) || m.status() == MachineStatus.SCENARIO_EXECUTING) {
            return "Machine " + m.name() + " is executing a scenario";
        }
        if (ERROR_STATUSES.contains(m.status())) {
            return "Machine " + m.name() + " is in \"" + m.status().label()
                    + "\"; use Remove Error before executing again";
        }
        if (check.executability().needsDeployOs()) {
            DeployOsResolution r = plugins.resolveDeployOs(m.deployOs(), m.model(), server.defaultDeployOs());
            if (r.deployOs().kernel().isEmpty()) {
                return "Machine " + m.name() + " has no Deploy-OS: \"" + r.deployOs().id() + "\" (by "
                        + r.rule().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                        + ") is provided by no Deploy-OS plugin; set the machine's Deploy-OS or install the plugin "
                        + "of its model";
            }
            if (m.power() == PowerState.ON && !s.options().forcedRebootBeforeExecution()) {
                return "Machine " + m.name() + " is powered on; scenario " + s.name() + " boots the Deploy-OS and "
                        + "runs on a machine that is on only with the option \"Forced Execution Of A Reboot Is "
                        + "Performed Before Execution\"";
            }
        }
        return null;
    }

    @Override
    public List<Execution> active() {
        ensureRecovered();
        return database.inTransaction(ExecutionTable::active);
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
                finish(run, ExecutionState.CANCELLED, "Cancelled by " + by + " at step " + (run.step + 1) + " of "
                        + run.plan.steps().size());
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
        return database.inTransaction(c -> new ResultPage(ExecutionTable.countResults(c, query),
                ExecutionTable.results(c, query)));
    }

    @Override
    public boolean removeError(long machineId) {
        Machine m = inventory.machine(machineId);
        if (!ERROR_STATUSES.contains(m.status())) {
            return false;
        }
        inventory.setStatus(machineId, MachineStatus.NONE);
        LOG.info("Error status \"{}\" of machine {} removed", m.status().label(), m.name());
        return true;
    }

    // ---------------------------------------------------------------- agent events

    @Override
    public void connected(AgentInfo agent) {
        agent.machineId().ifPresent(id -> {
            List<AgentWait> waits = agentWaits.get(id);
            if (waits != null) {
                for (AgentWait w : waits) {
                    if (w.kind.accepts(agent)) {
                        w.future.complete(agent);
                    }
                }
            }
        });
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
            for (Run run : new ArrayList<>(runs.values())) {
                if (run.pendingEnd == null && now.isAfter(run.deadline)) {
                    finish(run, ExecutionState.TIMED_OUT, "Not finished within " + run.timeoutMinutes
                            + " minutes; stopped at step " + (run.step + 1) + " of " + run.plan.steps().size()
                            + " (" + ExecutionPlan.displayName(run.plan.steps().get(run.step).kind()) + ")");
                }
            }
            for (List<AgentWait> waits : agentWaits.values()) {
                for (AgentWait w : waits) {
                    if (now.isAfter(w.expiresAt)) {
                        w.future.completeExceptionally(w.powerOn ? new RemotePowerOnTimeout(w.timeoutMessage)
                                : new StepFailed(w.timeoutMessage));
                    }
                }
            }
            dispatch();
        } catch (StoreUnavailableException e) {
            LOG.debug("Execution engine waits for the database: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Execution engine tick failed", e);
        }
    }

    /**
     * Recovers once, before anything about executions is read or changed: the database may come up after this
     * component, and a request must not see an execution a dead process left running.
     */
    private void ensureRecovered() {
        if (!recovered) {
            synchronized (this) {
                if (!recovered) {
                    recover();
                    recovered = true;
                }
            }
        }
    }

    /** Ends what an earlier run of the server left running: nothing of it survives in this process. */
    private void recover() {
        List<Execution> left = database.inTransaction(c -> {
            List<Execution> running = ExecutionTable.active(c).stream()
                    .filter(e -> e.state() == ExecutionState.RUNNING).toList();
            for (Execution e : running) {
                ExecutionTable.end(c, e.id(), ExecutionState.FAILED, "The server stopped while this scenario was "
                        + "executing (step " + e.step() + " of " + e.steps() + ": " + e.stepName() + "); check the "
                        + "machine, then Remove Error and execute again", clock.instant());
                ExecutionTable.setMachineStatus(c, e.machineId(), MachineStatus.SCENARIO_EXECUTION_ERROR);
            }
            return running;
        });
        for (Execution e : left) {
            LOG.warn("Execution {} of scenario {} on machine {} was running when the server stopped; ended with an "
                    + "error", e.id(), e.scenarioName(), e.machineName());
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

    /** A waiting execution as it is about to start: its plan, or why it cannot start. */
    private record Start(Execution execution, MachineRow machine, ExecutionPlan plan, String problem) {
    }

    private void startAll(List<Long> ids) {
        ServerSettings server = settings.get();
        Map<Long, ScenarioCheck> checks = new HashMap<>();
        List<Start> starts = database.inTransaction(c -> {
            List<Execution> rows = ExecutionTable.byIds(c, ids);
            Map<Long, MachineRow> machines = ExecutionTable.machines(c,
                    rows.stream().map(Execution::machineId).toList());
            List<Start> out = new ArrayList<>();
            for (Execution e : rows) {
                out.add(plan(e, machines.get(e.machineId()), server, checks));
            }
            return out;
        });
        Instant now = clock.instant();
        int timeout = server.scenarioTimeoutMinutes();
        Instant deadline = now.plus(Duration.ofMinutes(timeout));
        List<Start> started = database.inTransaction(c -> {
            List<Start> ok = new ArrayList<>();
            for (Start st : starts) {
                if (st.problem != null) {
                    ExecutionTable.end(c, st.execution.id(), ExecutionState.FAILED, st.problem, now);
                } else if (ExecutionTable.start(c, st.execution.id(), st.plan.toJson(), st.plan.steps().size(),
                        ExecutionPlan.displayName(st.plan.steps().get(0).kind()), now, deadline)) {
                    ExecutionTable.setMachineStatus(c, st.machine.id(), MachineStatus.SCENARIO_EXECUTING);
                    ok.add(st);
                }
            }
            return ok;
        });
        for (Start st : starts) {
            if (st.problem != null) {
                LOG.warn("Execution {} could not start: {}", st.execution.id(), st.problem);
            }
        }
        for (Start st : started) {
            Run run = new Run(st.execution.id(), st.machine, st.execution.scenarioName(), st.plan, deadline, timeout);
            runs.put(run.id, run);
            runStep(run, 0, true);
        }
    }

    /** The plan of one execution, or the reason it cannot start (its machine or scenario went, a plugin failed). */
    private Start plan(Execution e, MachineRow machine, ServerSettings server, Map<Long, ScenarioCheck> checks) {
        if (machine == null) {
            return new Start(e, null, null, "Machine " + e.machineName() + " was deleted before the execution "
                    + "started");
        }
        try {
            ScenarioCheck check = checks.computeIfAbsent(e.scenarioId(),
                    s -> new ScenarioCheck(scenarios.scenario(s), scenarios.executability(s)));
            Executability x = check.executability();
            if (!x.executable()) {
                return new Start(e, machine, null, "Scenario " + check.scenario().name() + " cannot be executed: "
                        + x.reason().orElse("unavailable"));
            }
            Optional<org.opendpm.spi.DeployOs> deployOs = x.needsDeployOs()
                    ? Optional.of(plugins.resolveDeployOs(machine.deployOs(), machine.model(),
                            server.defaultDeployOs()).deployOs())
                    : Optional.empty();
            PlanTarget target = new PlanTarget(machine.name(), machine.primaryMac(), machine.model(), deployOs);
            ExecutionPlan plan = ExecutionPlan.of(check.scenario(), x.needsDeployOs(),
                    server.checkCompletionByAgent(), target, this::scenarioType);
            if (plan.steps().isEmpty()) {
                return new Start(e, machine, null, "Scenario " + check.scenario().name() + " has nothing to do");
            }
            return new Start(e, machine, plan, null);
        } catch (NotFoundException | StepFailed ex) {
            return new Start(e, machine, null, ex.getMessage());
        } catch (RuntimeException ex) {
            LOG.warn("Execution {}: planning failed", e.id(), ex);
            return new Start(e, machine, null, "The scenario's plugin failed to plan the execution: " + ex);
        }
    }

    private ScenarioType scenarioType(String key) {
        return plugins.scenarioType(key)
                .orElseThrow(() -> new StepFailed("Scenario type plugin unavailable: " + key));
    }

    /** Carries out step {@code index}; {@code recorded} when the row already names it (the first step). */
    private void runStep(Run run, int index, boolean recorded) {
        if (index == run.plan.steps().size()) {
            finish(run, ExecutionState.COMPLETED, "");
            return;
        }
        Step step = run.plan.steps().get(index);
        run.step = index;
        if (!recorded && !database.inTransaction(
                c -> ExecutionTable.step(c, run.id, index + 1, ExecutionPlan.displayName(step.kind())))) {
            runs.remove(run.id);
            return;
        }
        CompletionStage<?> done;
        try {
            done = carryOut(run, step);
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        done.whenComplete((v, error) -> submit(() -> stepDone(run, index, error)));
    }

    private void stepDone(Run run, int index, Throwable error) {
        if (runs.get(run.id) != run || run.step != index || run.pendingEnd != null) {
            return; // ended meanwhile (time-out, cancel): the late answer changes nothing
        }
        if (error == null) {
            runStep(run, index + 1, false);
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause()
                : error;
        Step step = run.plan.steps().get(index);
        String reason = cause instanceof OpenDpmException ? cause.getMessage() : cause.toString();
        if (cause instanceof RemotePowerOnTimeout) {
            run.powerOnError = true;
        }
        finish(run, ExecutionState.FAILED, "Step " + (index + 1) + " of " + run.plan.steps().size() + " ("
                + ExecutionPlan.displayName(step.kind()) + ") failed: " + reason);
    }

    /**
     * Ends a run. The end is written with the others that end in the same moment, in one transaction, by the task
     * queued behind them on the loop; until then the run ignores late answers.
     */
    private void finish(Run run, ExecutionState state, String message) {
        if (run.pendingEnd != null) {
            return; // the first end stands
        }
        run.pendingEnd = state;
        run.pendingMessage = message;
        run.waits.forEach(w -> w.future.cancel(false));
        ending.add(run);
        if (!flushQueued) {
            flushQueued = true;
            submit(this::flushEnds);
        }
    }

    private void flushEnds() {
        flushQueued = false;
        if (ending.isEmpty()) {
            return;
        }
        List<Run> batch = new ArrayList<>(ending);
        Instant now = clock.instant();
        try {
            database.inTransaction(c -> {
                for (Run run : batch) {
                    if (ExecutionTable.end(c, run.id, run.pendingEnd, run.pendingMessage, now)) {
                        ExecutionTable.setMachineStatus(c, run.machine.id(), statusAfter(run));
                    }
                }
                return null;
            });
        } catch (RuntimeException e) {
            // Kept and written by the next tick, so no row stays running.
            LOG.warn("{} execution end(s) could not be written yet: {}", batch.size(), e.getMessage());
            return;
        }
        ending.removeAll(batch);
        for (Run run : batch) {
            runs.remove(run.id);
            if (run.pendingEnd == ExecutionState.COMPLETED) {
                LOG.info("Execution {} of scenario {} on machine {} completed", run.id, run.scenarioName,
                        run.machine.name());
            } else {
                LOG.warn("Execution {} of scenario {} on machine {} ended {}: {}", run.id, run.scenarioName,
                        run.machine.name(), run.pendingEnd, run.pendingMessage);
            }
        }
        dispatch();
    }

    private static MachineStatus statusAfter(Run run) {
        switch (run.pendingEnd) {
        case COMPLETED:
            return MachineStatus.NONE;
        case CANCELLED:
            return MachineStatus.SCENARIO_EXECUTION_STOP;
        default:
            return run.powerOnError ? MachineStatus.REMOTE_POWER_ON_ERROR : MachineStatus.SCENARIO_EXECUTION_ERROR;
        }
    }

    // ---------------------------------------------------------------- steps

    private CompletionStage<?> carryOut(Run run, Step step) {
        Map<String, String> p = step.parameters();
        long machineId = run.machine.id();
        switch (step.kind()) {
        case AGENT_COMMAND: {
            String command = p.get("command");
            if (command == null || command.isBlank()) {
                throw new StepFailed("the plan gives no command");
            }
            int expected = Integer.parseInt(p.getOrDefault("expectedExitCode", "0"));
            return withAgent(run, () -> agents.runCommand(machineId, command,
                    Duration.between(clock.instant(), run.deadline))).thenAccept(r -> {
                if (r.exitCode() != expected) {
                    throw new StepFailed("command exited with code " + r.exitCode() + " (expected " + expected + ")"
                            + lastLine(r.output()));
                }
            });
        }
        case WAIT_FOR_AGENT:
            return waitForAgent(run, AgentKind.of(p.get("deployOs")), true, run.deadline, false);
        case POWER_ON: {
            AgentKind kind = step.needsDeployOs() ? AgentKind.DEPLOY_OS : AgentKind.ANY;
            CompletableFuture<AgentInfo> up = waitForAgent(run, kind, false, powerOnDeadline(run), true);
            return power.carryOut(run.machine.id(), run.machine.powerTarget(), PowerOperation.ON).thenCompose(v -> up);
        }
        case REBOOT_INTO_DEPLOY_OS: {
            bootIntents().set(machineId, NextBoot.deployOs(Optional.empty(), true), "execution " + run.id);
            CompletableFuture<AgentInfo> up = waitForAgent(run, AgentKind.DEPLOY_OS, false, powerOnDeadline(run),
                    true);
            CompletionStage<Void> kick = agents.agent(machineId).isPresent()
                    ? agents.power(machineId, AgentPowerAction.REBOOT)
                    : power.carryOut(run.machine.id(), run.machine.powerTarget(), PowerOperation.ON);
            return kick.thenCompose(v -> up);
        }
        case TRANSFER: {
            Path source = serverFiles.resolve(p.getOrDefault("file", ""));
            return withAgent(run, () -> agents.sendFile(machineId, source, p.getOrDefault("folder", ""),
                    p.getOrDefault("permissions", "644")));
        }
        case LOCAL_BOOT:
            // Back to the local disk: a Deploy-OS still connected reboots into it.
            bootIntents().clear(machineId);
            return agents.agent(machineId).filter(AgentInfo::deployOs).isPresent()
                    ? agents.power(machineId, AgentPowerAction.REBOOT)
                    : CompletableFuture.completedFuture(null);
        case POWER_OFF:
            return power.carryOut(run.machine.id(), run.machine.powerTarget(), PowerOperation.OFF)
                    .thenRun(() -> inventory.setPowerState(machineId, PowerState.OFF));
        default:
            throw new StepFailed("the engine does not know step " + step.kind());
        }
    }

    /**
     * Runs an agent request once the machine's agent is connected: a machine that is off (or whose state is unknown)
     * is powered on first, and its agent must connect within the Remote Power ON Timeout (SCH-4); a machine that is
     * on gets as long for its agent to come back (after a server restart, say).
     */
    private <T> CompletionStage<T> withAgent(Run run, java.util.function.Supplier<CompletionStage<T>> request) {
        long machineId = run.machine.id();
        if (agents.agent(machineId).isPresent()) {
            return request.get();
        }
        boolean off = inventory.machine(machineId).powerState() != PowerState.ON;
        CompletableFuture<AgentInfo> up = waitForAgent(run, AgentKind.ANY, true, powerOnDeadline(run), off);
        CompletionStage<Void> kick = off ? power.carryOut(run.machine.id(), run.machine.powerTarget(), PowerOperation.ON)
                : CompletableFuture.completedFuture(null);
        return kick.thenCompose(v -> up).thenCompose(a -> request.get());
    }

    private BootIntentService bootIntents() {
        BootIntentService b = bootIntents;
        if (b == null) {
            throw new StepFailed("network boot is not installed (feature opendpm-netboot): the machine cannot be "
                    + "booted into its Deploy-OS");
        }
        return b;
    }

    /** The Remote Power ON Timeout (SCH-4), within the execution's own time-out. */
    private Instant powerOnDeadline(Run run) {
        Instant limit = clock.instant().plus(Duration.ofMinutes(settings.get().remotePowerOnTimeoutMinutes()));
        return limit.isBefore(run.deadline) ? limit : run.deadline;
    }

    /** Which agent a step waits for. */
    enum AgentKind {
        ANY, DEPLOY_OS, INSTALLED_OS;

        boolean accepts(AgentInfo agent) {
            return this == ANY || agent.deployOs() == (this == DEPLOY_OS);
        }

        static AgentKind of(String parameter) {
            if (parameter == null) {
                return ANY;
            }
            return Boolean.parseBoolean(parameter) ? DEPLOY_OS : INSTALLED_OS;
        }
    }

    /**
     * A future completed when the machine's agent of that kind connects. With {@code alreadyConnected} an agent
     * connected now counts; without, only a connection made after this call does (the machine is about to reboot or
     * power on). A power-on wait that expires is a Remote Power ON Error (SCH-4).
     */
    private CompletableFuture<AgentInfo> waitForAgent(Run run, AgentKind kind, boolean alreadyConnected,
            Instant expiresAt, boolean powerOn) {
        long machineId = run.machine.id();
        String message = powerOn
                ? "Remote Power ON Error: machine " + run.machine.name() + " did not come up"
                        + (kind == AgentKind.DEPLOY_OS ? " in its Deploy-OS" : "") + " within "
                        + settings.get().remotePowerOnTimeoutMinutes() + " minutes"
                : "the agent of machine " + run.machine.name() + " did not connect"
                        + (kind == AgentKind.INSTALLED_OS ? " from its installed OS" : "")
                        + (kind == AgentKind.DEPLOY_OS ? " from its Deploy-OS" : "");
        AgentWait wait = new AgentWait(kind, expiresAt, message, powerOn, new CompletableFuture<>());
        List<AgentWait> waits = agentWaits.computeIfAbsent(machineId, k -> new CopyOnWriteArrayList<>());
        waits.add(wait);
        run.waits.add(wait);
        wait.future.whenComplete((a, t) -> waits.remove(wait));
        if (alreadyConnected) {
            agents.agent(machineId).filter(kind::accepts).ifPresent(wait.future::complete);
        }
        return wait.future;
    }

    private static String lastLine(String output) {
        String trimmed = output.strip();
        if (trimmed.isEmpty()) {
            return "";
        }
        int nl = trimmed.lastIndexOf('\n');
        return ": " + ExecutionTable.cut(trimmed.substring(nl + 1), 300);
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

    /** A step that cannot go on; its message is for the administrator. */
    static class StepFailed extends OpenDpmException {
        private static final long serialVersionUID = 1L;

        StepFailed(String message) {
            super(message);
        }
    }

    /** The machine did not come up in time after a power on (SCH-4). */
    static final class RemotePowerOnTimeout extends StepFailed {
        private static final long serialVersionUID = 1L;

        RemotePowerOnTimeout(String message) {
            super(message);
        }
    }

    private record AgentWait(AgentKind kind, Instant expiresAt, String timeoutMessage, boolean powerOn,
            CompletableFuture<AgentInfo> future) {
    }

    /** An execution being carried out; fields change on the loop only. */
    private static final class Run {
        final long id;
        final MachineRow machine;
        final String scenarioName;
        final ExecutionPlan plan;
        final Instant deadline;
        final int timeoutMinutes;
        final List<AgentWait> waits = new ArrayList<>();
        int step;
        boolean powerOnError;
        ExecutionState pendingEnd;
        String pendingMessage;

        Run(long id, MachineRow machine, String scenarioName, ExecutionPlan plan, Instant deadline, int timeoutMinutes) {
            this.id = id;
            this.machine = machine;
            this.scenarioName = scenarioName;
            this.plan = plan;
            this.deadline = deadline;
            this.timeoutMinutes = timeoutMinutes;
        }
    }
}
