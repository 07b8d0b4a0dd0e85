package org.opendpm.shell.internal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

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
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.apache.karaf.shell.support.table.ShellTable;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.scenario.ScenarioService;
import org.opendpm.api.schedule.Schedule;
import org.opendpm.api.schedule.ScheduleKind;
import org.opendpm.api.schedule.ScheduleService;
import org.opendpm.api.schedule.ScheduleSpec;
import org.opendpm.shell.internal.GroupCommands.GroupPathCompleter;
import org.opendpm.shell.internal.MachineCommands.MachineNameCompleter;
import org.opendpm.shell.internal.ScenarioCommands.ScenarioNameCompleter;

/** dpm:schedule-* commands: scheduled executions and power actions, addressed by name (SCH-1 to SCH-3). */
public final class ScheduleCommands {

    private ScheduleCommands() {
    }

    static Schedule schedule(ScheduleService schedules, String name) {
        try {
            return schedules.findSchedule(name).orElseThrow(() -> new IllegalArgumentException("No schedule "
                    + name));
        } catch (OpenDpmException e) {
            throw UserCommands.clear(e);
        }
    }

    /** A kind as typed: {@code execute}, {@code group-execute}, {@code power-on}, {@code shutdown}. */
    static ScheduleKind kind(String text) {
        try {
            return ScheduleKind.valueOf(text.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown kind '" + text + "'; kinds are execute, group-execute,"
                    + " power-on and shutdown");
        }
    }

    static String word(ScheduleKind kind) {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** {@code --at} as a local date and time; seconds may be left out ({@code 2026-04-01T07:30}). */
    static LocalDateTime at(String text) {
        try {
            return LocalDateTime.parse(text.strip().replace(' ', 'T'));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--at '" + text + "' is not a local date and time such as"
                    + " 2026-04-01T07:30 (the zone is --zone)");
        }
    }

    /** When a schedule fires, as a line: once or its cron, with the zone. */
    static String when(Schedule s) {
        return s.at().map(a -> "once " + a.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME)).orElseGet(
                () -> "cron " + s.cron().orElse("")) + " " + s.timeZone();
    }

    static String targets(Schedule s) {
        String who = s.groupPath().map(g -> "group " + g + (s.includeSubgroups() ? " and sub-groups" : ""))
                .orElse(s.machineIds().size() + (s.machineIds().size() == 1 ? " machine" : " machines"));
        return s.scenarioName().map(n -> n + " on " + who).orElse(who);
    }

    static String instant(Optional<Instant> t, String zone) {
        return t.map(i -> i.atZone(ZoneId.of(zone)).toOffsetDateTime().toString()).orElse("-");
    }

    @Service
    @Command(scope = "dpm", name = "schedule-list", description = "Lists schedules: what they do, when, next firing"
            + " and the outcome of the last")
    public static class ScheduleList implements Action {
        @Reference
        ScheduleService schedules;

        @Override
        public Object execute() {
            var table = new ShellTable();
            table.column("Id");
            table.column("Name");
            table.column("Kind");
            table.column("Targets");
            table.column("When");
            table.column("Enabled");
            table.column("Next");
            table.column("Last outcome").maxSize(80);
            try {
                for (Schedule s : schedules.schedules()) {
                    table.addRow().addContent(s.id(), s.name(), word(s.kind()), targets(s), when(s),
                            s.enabled() ? "yes" : "no", instant(s.nextFireAt(), s.timeZone()),
                            s.lastOutcome().orElse("-"));
                }
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            table.print(System.out);
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "schedule-add", description = "Adds a schedule: a scenario on machines"
            + " (execute) or on every machine of a group (group-execute), or power-on / shutdown of machines or a"
            + " group; once (--at) or repeating (--cron), in an explicit time zone (--zone)")
    public static class ScheduleAdd implements Action {
        @Reference
        ScheduleService schedules;

        @Reference
        ScenarioService scenarios;

        @Reference
        InventoryService inventory;

        @Reference
        Session session;

        @Argument(index = 0, name = "name", required = true, description = "the schedule's name")
        String name;

        @Option(name = "-k", aliases = "--kind", required = true, description = "execute, group-execute, power-on"
                + " or shutdown")
        @Completion(value = StringsCompleter.class, values = { "execute", "group-execute", "power-on", "shutdown" })
        String kind;

        @Option(name = "-s", aliases = "--scenario", description = "the scenario to execute (execute,"
                + " group-execute)")
        @Completion(ScenarioNameCompleter.class)
        String scenario;

        @Option(name = "-m", aliases = "--machine", multiValued = true, description = "a machine name; repeat for"
                + " more")
        @Completion(MachineNameCompleter.class)
        List<String> machines;

        @Option(name = "-g", aliases = "--group", description = "a machine group (full path)")
        @Completion(GroupPathCompleter.class)
        String group;

        @Option(name = "-r", aliases = "--subgroups", description = "with --group: also the machines of its"
                + " sub-groups")
        boolean subgroups;

        @Option(name = "--at", description = "once, at this local date and time in --zone, e.g. 2026-04-01T07:30")
        String at;

        @Option(name = "--cron", description = "repeating: a Quartz cron expression (seconds minutes hours"
                + " day-of-month month day-of-week [year]), e.g. \"0 30 7 ? * MON-FRI\"")
        String cron;

        @Option(name = "-z", aliases = "--zone", required = true, description = "IANA time zone of --at and --cron,"
                + " e.g. Europe/Berlin")
        @Completion(ZoneCompleter.class)
        String zone;

        @Option(name = "--disabled", description = "store it without firing until dpm:schedule-enable")
        boolean disabled;

        @Override
        public Object execute() {
            try {
                Optional<Long> scenarioId = Optional.empty();
                if (scenario != null) {
                    scenarioId = Optional.of(ScenarioCommands.scenario(scenarios, scenario).id());
                }
                List<Long> ids = new ArrayList<>();
                for (String m : machines == null ? List.<String>of() : new LinkedHashSet<>(machines)) {
                    ids.add(inventory.findMachine(m).orElseThrow(() -> new IllegalArgumentException("No machine "
                            + m + "; nothing was scheduled")).id());
                }
                Optional<Long> groupId = Optional.empty();
                if (group != null) {
                    groupId = Optional.of(inventory.findGroup(group).orElseThrow(() -> new IllegalArgumentException(
                            "No machine group " + group + "; nothing was scheduled")).id());
                }
                Object user = session == null ? null : session.get("USER");
                Schedule s = schedules.create(new ScheduleSpec(name, kind(kind), scenarioId, ids, groupId, subgroups,
                        at == null ? Optional.empty() : Optional.of(at(at)), Optional.ofNullable(cron), zone,
                        !disabled), user == null ? "shell" : user.toString());
                System.out.println("Schedule " + s.name() + " (id " + s.id() + "): " + word(s.kind()) + " "
                        + targets(s) + ", " + when(s) + (s.enabled()
                                ? ", next " + instant(s.nextFireAt(),
                                        s.timeZone())
                                : ", disabled"));
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "schedule-remove", description = "Removes schedules; they fire no more")
    public static class ScheduleRemove implements Action {
        @Reference
        ScheduleService schedules;

        @Argument(index = 0, name = "names", required = true, multiValued = true)
        @Completion(ScheduleNameCompleter.class)
        List<String> names;

        @Override
        public Object execute() {
            for (String n : names) {
                Schedule s = schedule(schedules, n);
                try {
                    schedules.delete(s.id());
                } catch (OpenDpmException e) {
                    throw UserCommands.clear(e);
                }
                System.out.println("Schedule " + s.name() + " removed");
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "schedule-enable", description = "Enables a schedule")
    public static class ScheduleEnable implements Action {
        @Reference
        ScheduleService schedules;

        @Argument(index = 0, name = "name", required = true)
        @Completion(ScheduleNameCompleter.class)
        String name;

        @Override
        public Object execute() {
            Schedule s = schedule(schedules, name);
            try {
                s = schedules.setEnabled(s.id(), true);
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            System.out.println("Schedule " + s.name() + " enabled, next " + instant(s.nextFireAt(), s.timeZone()));
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "schedule-disable", description = "Disables a schedule; it is kept")
    public static class ScheduleDisable implements Action {
        @Reference
        ScheduleService schedules;

        @Argument(index = 0, name = "name", required = true)
        @Completion(ScheduleNameCompleter.class)
        String name;

        @Override
        public Object execute() {
            Schedule s = schedule(schedules, name);
            try {
                schedules.setEnabled(s.id(), false);
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            System.out.println("Schedule " + s.name() + " disabled");
            return null;
        }
    }

    /** Completes schedule names. */
    @Service
    public static class ScheduleNameCompleter implements Completer {
        @Reference
        ScheduleService schedules;

        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return Completions.of(() -> schedules.scheduleNames(Completions.typed(commandLine), 200),
                    session, commandLine, candidates);
        }
    }

    /** Completes IANA time zone ids. */
    @Service
    public static class ZoneCompleter implements Completer {
        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return new StringsCompleter(new java.util.TreeSet<>(ZoneId.getAvailableZoneIds())).complete(session,
                    commandLine, candidates);
        }
    }
}
