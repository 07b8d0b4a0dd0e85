package org.opendpm.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.apache.karaf.shell.support.table.ShellTable;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.scenario.Assignment;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioService;
import org.opendpm.api.scenario.ScenarioTab;
import org.opendpm.shell.internal.MachineCommands.MachineNameCompleter;

/** dpm:scenario-* commands: scenarios addressed by name (SCN-1 to SCN-5). */
public final class ScenarioCommands {

    private ScenarioCommands() {
    }

    static Scenario scenario(ScenarioService scenarios, String name) {
        try {
            return scenarios.findScenario(name).orElseThrow(() -> new IllegalArgumentException("No scenario "
                    + name));
        } catch (OpenDpmException e) {
            throw UserCommands.clear(e);
        }
    }

    @Service
    @Command(scope = "dpm", name = "scenario-list", description = "Lists scenarios by name, with their group and"
            + " whether their plugins are present")
    public static class ScenarioList implements Action {
        @Reference
        ScenarioService scenarios;

        @Option(name = "-g", aliases = "--group", description = "only the scenarios directly in this scenario group"
                + " (full path)")
        String group;

        @Override
        public Object execute() {
            var table = new ShellTable();
            table.column("Id");
            table.column("Name");
            table.column("Group");
            table.column("Tabs");
            table.column("Machines").alignRight();
            table.column("Available");
            try {
                Optional<Long> groupId = Optional.empty();
                if (group != null) {
                    groupId = Optional.of(scenarios.findGroup(group).orElseThrow(() -> new IllegalArgumentException(
                            "No scenario group " + group)).id());
                }
                for (Scenario s : scenarios.scenarios(groupId)) {
                    table.addRow().addContent(s.id(), s.name(), s.groupPath(), tabs(s), s.assignedMachines(),
                            s.available() ? "yes" : "no: " + s.unavailableReason().orElse(""));
                }
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            table.print(System.out);
            return null;
        }
    }

    static String tabs(Scenario s) {
        List<String> names = new ArrayList<>();
        s.tabs().forEach(t -> names.add(t.type()));
        return s.builtIn() ? "(built in)" : String.join(", ", names);
    }

    @Service
    @Command(scope = "dpm", name = "scenario-show", description = "Shows one scenario: tabs, options, machines")
    public static class ScenarioShow implements Action {
        @Reference
        ScenarioService scenarios;

        @Argument(index = 0, name = "name", required = true)
        @Completion(ScenarioNameCompleter.class)
        String name;

        @Override
        public Object execute() {
            Scenario s = scenario(scenarios, name);
            System.out.println("Name:      " + s.name() + " (id " + s.id() + ")" + (s.builtIn() ? ", built in" : ""));
            System.out.println("Group:     " + s.groupPath());
            s.description().ifPresent(d -> System.out.println("About:     " + d));
            System.out.println("Available: " + (s.available() ? "yes" : "no, " + s.unavailableReason().orElse("")));
            System.out.println("Options:   forced reboot before execution: "
                    + yesNo(s.options().forcedRebootBeforeExecution()) + ", power off after execution: "
                    + yesNo(s.options().powerOffAfterExecution()));
            for (ScenarioTab t : s.tabs()) {
                System.out.println("Tab " + t.type() + " (settings version " + t.settingsVersion() + "):");
                for (Map.Entry<String, Object> e : t.settings().entrySet()) {
                    System.out.println("  " + e.getKey() + " = " + e.getValue());
                }
            }
            try {
                List<Assignment> machines = scenarios.assignments(s.id());
                System.out.println("Assigned:  " + machines.size() + " machines" + (machines.isEmpty()
                        ? ""
                        : ": " + String.join(", ", machines.stream().map(Assignment::machineName).toList())));
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }

        private static String yesNo(boolean b) {
            return b ? "yes" : "no";
        }
    }

    @Service
    @Command(scope = "dpm", name = "scenario-assign", description = "Assigns a scenario to machines, replacing the"
            + " scenario each had")
    public static class ScenarioAssign implements Action {
        @Reference
        ScenarioService scenarios;

        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "scenario", required = true)
        @Completion(ScenarioNameCompleter.class)
        String scenario;

        @Argument(index = 1, name = "machines", required = true, multiValued = true, description = "machine names")
        @Completion(MachineNameCompleter.class)
        List<String> machines;

        @Override
        public Object execute() {
            Scenario s = scenario(scenarios, scenario);
            List<Long> ids = new ArrayList<>();
            try {
                for (String m : machines) {
                    ids.add(inventory.findMachine(m).orElseThrow(() -> new IllegalArgumentException("No machine "
                            + m + "; nothing was assigned")).id());
                }
                List<Assignment> done = scenarios.assign(s.id(), ids);
                System.out.println("Scenario " + s.name() + " assigned to " + done.size() + " machines: "
                        + String.join(", ", done.stream().map(Assignment::machineName).toList()));
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    /** Completes scenario names. */
    @Service
    public static class ScenarioNameCompleter implements Completer {
        @Reference
        ScenarioService scenarios;

        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return Completions.of(() -> scenarios.scenarioNames(Completions.typed(commandLine), 200),
                    session, commandLine, candidates);
        }
    }
}
