package org.opendpm.scheduler.internal.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.execution.ExecuteRequest;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionService;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.inventory.PowerState;
import org.opendpm.api.plugin.DeployOsResolution;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.api.scenario.Executability;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioService;
import org.opendpm.api.scenario.ScenarioTab;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.scheduler.internal.engine.ExecutionTable.MachineRow;
import org.opendpm.scheduler.internal.engine.ExecutionTable.NewExecution;
import org.opendpm.scheduler.internal.scenario.Store;
import org.opendpm.spi.ScenarioType;
import org.opendpm.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Execution requests: every machine's preconditions checked first (EXE-2, EXE-3, EXE-8), then the executions recorded
 * in one transaction under the execution lock, with the scenario assigned (SCN-5). A user's request is all or none; a
 * scheduled batch records the refused machines as failed results.
 *
 * <p>EXE-10: a scenario one of whose tabs writes something machines must not share ({@code ScenarioType.sharedOutput},
 * a backup's image without machine name, MAC or UUID appended) runs on one machine at a time. The plugins are asked
 * between the two transactions, through {@link PluginCalls}; several machines of the request with such a scenario are
 * all refused, and so is one while another machine runs it (checked again under the lock).
 *
 * <p>NET-4: while the server runs without its DHCP server, a scenario one of whose tabs needs it
 * ({@code ScenarioType.needsDhcpServer}, a multicast restore) is refused, naming the scenario and the setting. The
 * scenario itself is saved as it is: whether the server runs a DHCP server is a server setting that may change.
 */
final class ExecutionRequests {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutionRequests.class);
    static final int MAX_MACHINES_PER_REQUEST = 40_000;
    static final Set<MachineStatus> ERROR_STATUSES = Set.of(MachineStatus.SCENARIO_EXECUTION_ERROR,
            MachineStatus.SCENARIO_EXECUTION_STOP, MachineStatus.REMOTE_POWER_ON_ERROR);

    private final Database database;
    private final ScenarioService scenarios;
    private final PluginRegistry plugins;
    private final ServerSettingsService settings;
    private final PluginCalls calls;
    private final Clock clock;

    ExecutionRequests(Database database, ScenarioService scenarios, PluginRegistry plugins,
            ServerSettingsService settings, PluginCalls calls, Clock clock) {
        this.database = database;
        this.scenarios = scenarios;
        this.plugins = plugins;
        this.settings = settings;
        this.calls = calls;
        this.clock = clock;
    }

    /** Checks and records a request; see {@link ExecutionService#execute}. */
    List<Execution> execute(ExecuteRequest request) {
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
        List<Candidate> checked = database.inTransaction(c -> candidates(c, ids, request, server, checks));
        // Outside any transaction: the plugins say what each scenario writes that machines must not share.
        Map<Long, Exclusive> exclusive = exclusiveScenarios(checked, checks);
        List<Candidate> notTwice = notTwiceInTheRequest(checked, exclusive);
        List<Candidate> candidates = server.useDhcpServer() ? notTwice : withoutDhcpServer(notTwice, checks);
        if (request.allOrNone()) {
            long refused = candidates.stream().filter(x -> x.problem != null).count();
            // Distinct: an EXE-10 refusal is the same sentence for each machine.
            List<String> problems = candidates.stream().filter(x -> x.problem != null).map(x -> x.problem)
                    .distinct().toList();
            if (!problems.isEmpty()) {
                throw new ConflictException(problems.size() == 1
                        ? problems.get(0)
                        : refused + " machines cannot execute: " + String.join("; ",
                                problems.subList(0, Math.min(5, problems.size())))
                                + (problems.size() > 5 ? "; …" : ""));
            }
        }
        Instant now = clock.instant();
        List<Execution> created = database.inTransaction(c -> {
            long first = ExecutionTable.lockAndReserve(c, candidates.size());
            // Under the lock: a machine another request started meanwhile is busy now.
            Set<Long> busy = ExecutionTable.busyMachines(c);
            Map<Long, Set<Long>> runningOn = exclusive.isEmpty()
                    ? Map.of()
                    : ExecutionTable.activeMachinesByScenario(c, exclusive.keySet());
            List<NewExecution> rows = new ArrayList<>();
            List<Long> toAssign = new ArrayList<>();
            for (Candidate x : candidates) {
                String problem = x.problem;
                if (problem == null && busy.contains(x.machine.id())) {
                    problem = "Machine " + x.machine.name() + " is executing a scenario";
                } else if (problem == null && exclusive.containsKey(x.scenarioId) && runningOn
                        .getOrDefault(x.scenarioId, Set.of()).stream().anyMatch(id -> id != x.machine.id())) {
                    problem = notShared(x.scenarioName, exclusive.get(x.scenarioId).what());
                }
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
                Store.replaceAssignments(c, toAssign, scenarioId, Timestamp.from(now));
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
        return created;
    }

    /**
     * What a scenario writes that two machines must not share (EXE-10), or why that could not be found out.
     *
     * @param what for example {@code image base.img}, null when unchecked
     * @param unchecked the refusal when a tab's plugin could not say (threw, hung): running unchecked could spoil an
     *            image
     */
    private record Exclusive(String what, String unchecked) {
    }

    /** The scenarios of the acceptable candidates that must not run on two machines at once. */
    private Map<Long, Exclusive> exclusiveScenarios(List<Candidate> candidates, Map<Long, ScenarioCheck> checks) {
        Map<Long, CompletableFuture<Optional<String>>> asked = new LinkedHashMap<>();
        for (Candidate x : candidates) {
            if (x.problem == null && !asked.containsKey(x.scenarioId)) {
                asked.put(x.scenarioId, sharedOutput(checks.get(x.scenarioId).scenario()));
            }
        }
        Map<Long, Exclusive> out = new HashMap<>();
        asked.forEach((scenarioId, answer) -> {
            try {
                answer.join().ifPresent(what -> out.put(scenarioId, new Exclusive(what, null)));
            } catch (CompletionException | CancellationException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                out.put(scenarioId, new Exclusive(null, "Scenario " + checks.get(scenarioId).scenario().name()
                        + " cannot be checked for running on several machines at once: " + cause.getMessage()));
            }
        });
        return out;
    }

    /** What the first tab that names one says is shared; each tab's plugin asked through the guard. */
    private CompletableFuture<Optional<String>> sharedOutput(Scenario scenario) {
        return firstOfTabs(scenario, "sharedOutput", ScenarioType::sharedOutput);
    }

    /**
     * NET-4, for a server without its DHCP server: the acceptable candidates whose scenario has a tab that needs it
     * (a multicast restore) refused, naming the scenario, what needs it and the setting; so are those whose plugin
     * could not say.
     */
    private List<Candidate> withoutDhcpServer(List<Candidate> candidates, Map<Long, ScenarioCheck> checks) {
        Map<Long, CompletableFuture<Optional<String>>> asked = new LinkedHashMap<>();
        for (Candidate x : candidates) {
            if (x.problem == null && !asked.containsKey(x.scenarioId)) {
                asked.put(x.scenarioId, firstOfTabs(checks.get(x.scenarioId).scenario(), "needsDhcpServer",
                        ScenarioType::needsDhcpServer));
            }
        }
        Map<Long, String> refused = new HashMap<>();
        asked.forEach((scenarioId, answer) -> {
            String name = checks.get(scenarioId).scenario().name();
            try {
                answer.join().ifPresent(what -> refused.put(scenarioId, Net4.refusal("Scenario " + name, what)));
            } catch (CompletionException | CancellationException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                refused.put(scenarioId, "Scenario " + name + " cannot be checked for what needs the server's DHCP"
                        + " server, which the server runs without (NET-4): " + cause.getMessage());
            }
        });
        List<Candidate> out = new ArrayList<>(candidates.size());
        for (Candidate x : candidates) {
            String problem = x.problem == null ? refused.get(x.scenarioId) : null;
            out.add(problem == null ? x : new Candidate(x.machine, x.scenarioId, x.scenarioName, problem));
        }
        return out;
    }

    /** The first answer a tab's plugin gives, each asked through the guard. */
    private CompletableFuture<Optional<String>> firstOfTabs(Scenario scenario, String method,
            BiFunction<ScenarioType, Map<String, Object>, Optional<String>> question) {
        CompletableFuture<Optional<String>> all = CompletableFuture.completedFuture(Optional.empty());
        for (ScenarioTab tab : scenario.tabs()) {
            Optional<ScenarioType> type = plugins.scenarioType(tab.type());
            if (type.isEmpty()) {
                continue; // the scenario is not executable then, which its candidates say already
            }
            CompletableFuture<Optional<String>> one = calls.call("The " + tab.type() + " plugin's check of scenario "
                    + scenario.name(),
                    () -> Objects.requireNonNull(question.apply(type.get(), tab.settings()),
                            method + " returned null"));
            all = all.thenCombine(one, (first, next) -> first.isPresent() ? first : next);
        }
        return all;
    }

    /**
     * The candidates with those of an exclusive scenario refused when another acceptable candidate of the request
     * has it too (all of them: which one would run is not the request's to say), or when it could not be checked.
     */
    private static List<Candidate> notTwiceInTheRequest(List<Candidate> candidates, Map<Long, Exclusive> exclusive) {
        Map<Long, Integer> count = new HashMap<>();
        candidates.stream().filter(x -> x.problem == null && exclusive.containsKey(x.scenarioId))
                .forEach(x -> count.merge(x.scenarioId, 1, Integer::sum));
        List<Candidate> out = new ArrayList<>(candidates.size());
        for (Candidate x : candidates) {
            Exclusive e = x.problem == null ? exclusive.get(x.scenarioId) : null;
            String problem = e == null
                    ? null
                    : e.unchecked() != null
                            ? e.unchecked()
                            : count.get(x.scenarioId) > 1 ? notShared(x.scenarioName, e.what()) : null;
            out.add(problem == null ? x : new Candidate(x.machine, x.scenarioId, x.scenarioName, problem));
        }
        return out;
    }

    static String notShared(String scenario, String what) {
        return "Scenario " + scenario + " cannot run on several machines at once: it writes " + what
                + " on each; append the machine name, MAC or UUID to the image name";
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

    private List<Candidate> candidates(Connection c, List<Long> ids, ExecuteRequest request,
            ServerSettings server, Map<Long, ScenarioCheck> checks) throws SQLException {
        Map<Long, MachineRow> machines = ExecutionTable.machines(c, ids);
        Map<Long, Long> assigned = request.scenarioId().isPresent()
                ? Map.of()
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
                        + r.rule().name().toLowerCase(Locale.ROOT).replace('_', ' ')
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

}
