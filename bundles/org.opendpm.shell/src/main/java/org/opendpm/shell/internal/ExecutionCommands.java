package org.opendpm.shell.internal;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.table.ShellTable;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.execution.ExecuteRequest;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionService;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.execution.ExecutionStep;
import org.opendpm.api.execution.ResultPage;
import org.opendpm.api.execution.ResultQuery;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.scenario.ScenarioService;
import org.opendpm.shell.internal.MachineCommands.MachineNameCompleter;
import org.opendpm.shell.internal.ScenarioCommands.ScenarioNameCompleter;

/**
 * dpm:execute, dpm:execution-* (list, cancel, steps), dpm:result-list and dpm:remove-error: scenario executions
 * on machines addressed by name (EXE-1, EXE-6 to EXE-8).
 */
public final class ExecutionCommands {

    /** The result list's page limit, as the service accepts it. */
    static final int MAX_LIMIT = 1000;

    private ExecutionCommands() {
    }

    /**
     * The ids of the named machines, every name resolved before anything is asked of a service, so a typing error
     * changes nothing. {@code what} ends the message: "nothing was started".
     */
    static List<Long> machineIds(InventoryService inventory, List<String> names, String what) {
        List<Long> ids = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try {
            for (String name : names) {
                Machine m = inventory.findMachine(name).orElseThrow(() -> new IllegalArgumentException(
                        "No machine named '" + name + "'; " + what));
                if (!seen.add(m.name().toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException("Machine " + m.name() + " is named twice; " + what);
                }
                ids.add(m.id());
            }
        } catch (OpenDpmException e) {
            throw UserCommands.clear(e);
        }
        return ids;
    }

    static String user(Session session) {
        Object user = session == null ? null : session.get("USER");
        return user == null ? "shell" : user.toString();
    }

    static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static String time(Optional<Instant> t) {
        return t.map(ExecutionCommands::time).orElse("");
    }

    /**
     * "2/5 Agent command", with the step's progress while it runs (IMG-6): "3/4 Backup 3.0 GiB of 8.0 GiB (37%)
     * 100.0 MiB/s ETA 0:00:51"; empty before the plan is made.
     */
    static String step(Execution e) {
        if (e.steps() == 0) {
            return "";
        }
        String progress = e.state().finished() ? "" : e.stepProgress().map(ExecutionCommands::progress).orElse("");
        return e.step() + "/" + e.steps() + " " + e.stepName() + (progress.isEmpty() ? "" : " " + progress);
    }

    static Optional<Instant> instant(String option, String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(text.strip()));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " must be an ISO-8601 instant such as 2026-03-01T09:30:00Z,"
                    + " not '" + text + "'");
        }
    }

    static ShellTable executionTable(List<Execution> executions) {
        var table = new ShellTable();
        for (String column : List.of("Id", "Machine", "Scenario", "State", "Step", "Queued", "Started", "By",
                "Message")) {
            table.column(column);
        }
        for (Execution e : executions) {
            table.addRow().addContent(e.id(), e.machineName(), e.scenarioName(), e.state(), step(e),
                    time(e.queuedAt()), time(e.startedAt()), e.requestedBy(), e.message());
        }
        return table;
    }

    @Service
    @Command(scope = "dpm", name = "execute", description = "Executes on machines the scenario assigned to each, or"
            + " with -s the given scenario after assigning it to them; all or none: a machine that is busy, in error,"
            + " without the Deploy-OS the scenario needs or powered on without forced reboot stops the whole request")
    public static class Execute implements Action {
        @Reference
        ExecutionService executions;

        @Reference
        InventoryService inventory;

        @Reference
        ScenarioService scenarios;

        @Reference
        Session session;

        @Option(name = "-s", aliases = "--scenario", description = "assign this scenario to the machines first")
        @Completion(ScenarioNameCompleter.class)
        String scenario;

        @Argument(index = 0, name = "machines", required = true, multiValued = true, description = "machine names")
        @Completion(MachineNameCompleter.class)
        List<String> machines;

        @Override
        public Object execute() {
            Optional<Long> scenarioId = scenario == null
                    ? Optional.empty()
                    : Optional.of(ScenarioCommands.scenario(scenarios, scenario).id());
            List<Long> ids = machineIds(inventory, machines, "nothing was started");
            try {
                List<Execution> started = executions.execute(new ExecuteRequest(ids, scenarioId, true,
                        user(session)));
                executionTable(started).print(System.out);
                System.out.println(started.size() + " executions started");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "execution-list", description = "The Scenario Execution List: waiting and running"
            + " executions, oldest first, with their step and its progress")
    public static class ExecutionList implements Action {
        @Reference
        ExecutionService executions;

        @Override
        public Object execute() {
            try {
                List<Execution> active = executions.active();
                executionTable(active).print(System.out);
                System.out.println(active.size() + " executions waiting or running");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "execution-cancel", description = "Cancels a waiting or running execution; the"
            + " machine's status becomes Scenario Execution Stop (clear it with dpm:remove-error)")
    public static class ExecutionCancel implements Action {
        @Reference
        ExecutionService executions;

        @Reference
        Session session;

        @Argument(index = 0, name = "id", required = true, description = "execution id (dpm:execution-list)")
        @Completion(ActiveExecutionCompleter.class)
        long id;

        @Override
        public Object execute() {
            try {
                Execution e = executions.cancel(id, user(session));
                System.out.println("Execution " + e.id() + " of " + e.scenarioName() + " on " + e.machineName() + ": "
                        + e.state());
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "result-list", description = "The Scenario Execution Result List: finished"
            + " executions, newest first, with result, start and end time and the error message")
    public static class ResultList implements Action {
        @Reference
        ExecutionService executions;

        @Reference
        InventoryService inventory;

        @Reference
        ScenarioService scenarios;

        @Option(name = "-m", aliases = "--machine", description = "only this machine")
        @Completion(MachineNameCompleter.class)
        String machine;

        @Option(name = "-s", aliases = "--scenario", description = "only this scenario")
        @Completion(ScenarioNameCompleter.class)
        String scenario;

        @Option(name = "-g", aliases = "--group", description = "only machines now in this group (a path such as"
                + " /Servers/Web; not its sub-groups)")
        String group;

        @Option(name = "-r", aliases = "--result", description = "only this result: COMPLETED, FAILED, TIMED_OUT or"
                + " CANCELLED")
        String result;

        @Option(name = "--from", description = "ended at or after this ISO-8601 instant")
        String from;

        @Option(name = "--to", description = "ended before this ISO-8601 instant")
        String to;

        @Option(name = "--offset", description = "results to skip")
        int offset;

        @Option(name = "-n", aliases = "--limit", description = "results to show, 1 to 1000 (default 20)")
        int limit = 20;

        @Override
        public Object execute() {
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException("-n must be from 1 to " + MAX_LIMIT + ", not " + limit);
            }
            if (offset < 0) {
                throw new IllegalArgumentException("--offset must be 0 or more, not " + offset);
            }
            Optional<Instant> f = instant("--from", from);
            Optional<Instant> t = instant("--to", to);
            Optional<Long> machineId = machine == null
                    ? Optional.empty()
                    : Optional.of(MachineCommands.machine(inventory, machine).id());
            Optional<Long> scenarioId = scenario == null
                    ? Optional.empty()
                    : Optional.of(ScenarioCommands.scenario(scenarios, scenario).id());
            Optional<Long> groupId = group == null
                    ? Optional.empty()
                    : Optional.of(GroupCommands.group(inventory, group).id());
            Optional<ExecutionState> state = result == null ? Optional.empty() : Optional.of(result(result));
            try {
                ResultPage page = executions.results(new ResultQuery(machineId, scenarioId, f, t, offset, limit,
                        groupId, state));
                var table = new ShellTable();
                for (String column : List.of("Id", "Machine", "Scenario", "Result", "Started", "Ended", "By",
                        "Message")) {
                    table.column(column);
                }
                for (Execution e : page.results()) {
                    table.addRow().addContent(e.id(), e.machineName(), e.scenarioName(), e.state(),
                            time(e.startedAt()), time(e.endedAt()), e.requestedBy(), e.message());
                }
                table.print(System.out);
                System.out.println(page.results().size() + " of " + page.total() + " results (from " + offset + ")");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    /** An ended state by name, any case; the list of those there are otherwise. */
    static ExecutionState result(String text) {
        for (ExecutionState s : ExecutionState.values()) {
            if (s.finished() && s.name().equalsIgnoreCase(text.strip())) {
                return s;
            }
        }
        throw new IllegalArgumentException("-r must be a result: " + java.util.Arrays.stream(ExecutionState.values())
                .filter(ExecutionState::finished).map(Enum::name).collect(java.util.stream.Collectors.joining(", "))
                + "; not '" + text + "'");
    }

    @Service
    @Command(scope = "dpm", name = "remove-error", description = "Remove Error: clears a machine's error status"
            + " (execution error, execution stop, Remote Power ON Error) so it can execute again")
    public static class RemoveError implements Action {
        @Reference
        ExecutionService executions;

        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "machine", required = true, description = "machine name")
        @Completion(MachineNameCompleter.class)
        String name;

        @Override
        public Object execute() {
            Machine m = MachineCommands.machine(inventory, name);
            try {
                System.out.println(executions.removeError(m.id())
                        ? "Error status of " + m.name() + " removed"
                        : m.name() + " had no error status");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    /** How many of the newest results the execution completer offers besides the active executions. */
    static final int COMPLETED_TO_OFFER = 50;

    /** A step's progress: "3.0 GiB of 8.0 GiB (37%)", "12 of 40 files (30%)", "5 files"; empty when none. */
    static String progress(ExecutionStep s) {
        return s.progress().map(ExecutionCommands::progress).orElse("");
    }

    /** "3.0 GiB of 8.0 GiB (37%)" and, while known, the rate and time left: " 100.0 MiB/s ETA 0:00:51". */
    static String progress(ExecutionStep.Progress p) {
        return amount(p) + (p.rate() < 0
                ? ""
                : " " + ("bytes".equals(p.unit())
                        ? MachineDisksCommand.size(p.rate())
                        : p.rate() + " " + p.unit()) + "/s")
                + (p.etaSeconds() < 0
                        ? ""
                        : String.format(Locale.ROOT, " ETA %d:%02d:%02d", p.etaSeconds() / 3600,
                                p.etaSeconds() / 60 % 60, p.etaSeconds() % 60));
    }

    private static String amount(ExecutionStep.Progress p) {
        boolean bytes = "bytes".equals(p.unit());
        String done = bytes ? MachineDisksCommand.size(p.done()) : Long.toString(p.done());
        if (p.total() < 0) {
            return done + (bytes ? "" : " " + p.unit());
        }
        String total = bytes ? MachineDisksCommand.size(p.total()) : p.total() + " " + p.unit();
        return done + " of " + total + p.percent().stream().mapToObj(v -> " (" + v + "%)").findFirst().orElse("");
    }

    static ShellTable stepTable(List<ExecutionStep> steps) {
        var table = new ShellTable();
        table.column("Step").alignRight();
        table.column("Name");
        table.column("Executor");
        table.column("State");
        table.column("Progress");
        table.column("Started");
        table.column("Ended");
        table.column("Message");
        for (ExecutionStep s : steps) {
            table.addRow().addContent(s.number(), s.name() + (s.attempts() > 1
                    ? " (attempt " + s.attempts() + ")"
                    : ""), s.executor(), s.state(), progress(s), time(s.startedAt()), time(s.endedAt()), s.message());
        }
        return table;
    }

    /** A log line: "2026-03-01T10:00:29Z [2] agent said hello". */
    static String logLine(ExecutionStep.LogLine l) {
        return time(l.at()) + " [" + l.step() + "] " + l.line();
    }

    @Service
    @Command(scope = "dpm", name = "execution-steps", description = "Shows the steps of an execution, running or"
            + " finished, with their state and progress; with --log also the lines its steps logged")
    public static class ExecutionSteps implements Action {
        @Reference
        ExecutionService executions;

        @Argument(index = 0, name = "id", required = true, description = "execution id (dpm:execution-list,"
                + " dpm:result-list)")
        @Completion(ExecutionCompleter.class)
        long id;

        @Option(name = "-l", aliases = "--log", description = "also print the log lines, oldest first")
        boolean log;

        @Override
        public Object execute() {
            try {
                Execution e = executions.execution(id);
                System.out.println("Execution " + e.id() + " of " + e.scenarioName() + " on " + e.machineName() + ": "
                        + e.state() + (e.message().isEmpty() ? "" : " (" + e.message() + ")"));
                List<ExecutionStep> steps = executions.steps(id);
                if (steps.isEmpty()) {
                    System.out.println("No steps yet: the execution waits or is being planned");
                } else {
                    stepTable(steps).print(System.out);
                }
                if (log) {
                    List<ExecutionStep.LogLine> lines = executions.log(id);
                    System.out.println(lines.isEmpty() ? "No log lines" : "Log:");
                    lines.forEach(l -> System.out.println(logLine(l)));
                }
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    /** Completes the ids of waiting and running executions and of the newest finished ones. */
    @Service
    public static class ExecutionCompleter implements Completer {
        @Reference
        ExecutionService executions;

        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return Completions.of(() -> {
                List<String> ids = new ArrayList<>();
                executions.active().forEach(e -> ids.add(Long.toString(e.id())));
                executions.results(new ResultQuery(Optional.empty(), Optional.empty(), Optional.empty(),
                        Optional.empty(), 0, COMPLETED_TO_OFFER)).results().forEach(e -> ids.add(
                                Long.toString(
                                        e.id())));
                return ids;
            }, session, commandLine, candidates);
        }
    }

    /** Completes the ids of waiting and running executions. */
    @Service
    public static class ActiveExecutionCompleter implements Completer {
        @Reference
        ExecutionService executions;

        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return Completions.of(() -> executions.active().stream().map(e -> Long.toString(e.id())).toList(),
                    session, commandLine, candidates);
        }
    }
}
