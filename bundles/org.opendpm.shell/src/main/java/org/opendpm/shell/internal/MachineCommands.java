package org.opendpm.shell.internal;

import java.util.ArrayList;
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
import org.apache.karaf.shell.support.table.ShellTable;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachinePage;
import org.opendpm.api.inventory.MachineQuery;
import org.opendpm.api.inventory.MachineSpec;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.inventory.NewMachine;
import org.opendpm.api.inventory.NewMachineRegistration;
import org.opendpm.shell.internal.GroupCommands.GroupPathCompleter;

/** dpm:machine-* commands: managed machines addressed by name, and the New Machine list (INV-3, INV-4, INV-6). */
public final class MachineCommands {

    private MachineCommands() {
    }

    static Machine machine(InventoryService inventory, String name) {
        try {
            return inventory.findMachine(name).orElseThrow(() -> new IllegalArgumentException("No machine named '"
                    + name + "'"));
        } catch (OpenDpmException e) {
            throw UserCommands.clear(e);
        }
    }

    /** The NICs as the console shows them, the primary marked {@code (*)}. */
    static String macs(Machine m) {
        return String.join(" ", m.macs().stream().map(mac -> mac.equals(m.primaryMac()) ? mac + "(*)" : mac).toList());
    }

    @Service
    @Command(scope = "dpm", name = "machine-list", description = "Lists machines, a page at a time, ordered by name")
    public static class MachineList implements Action {
        @Reference
        InventoryService inventory;

        @Option(name = "-g", aliases = "--group", description = "only this group")
        @Completion(GroupPathCompleter.class)
        String group;

        @Option(name = "-s", aliases = "--subgroups", description = "with --group: its sub-groups too")
        boolean subgroups;

        @Option(name = "-q", aliases = "--text", description = "name, IP, UUID, model or MAC contains this")
        String text;

        @Option(name = "--status", description = "only machines with this status, e.g. SCENARIO_EXECUTING")
        String status;

        @Option(name = "--offset")
        int offset;

        @Option(name = "--limit")
        int limit = 100;

        @Override
        public Object execute() {
            try {
                Optional<Long> groupId = group == null
                        ? Optional.empty()
                        : Optional.of(GroupCommands.group(inventory, group).id());
                Optional<MachineStatus> st = Optional.empty();
                if (status != null) {
                    try {
                        st = Optional.of(MachineStatus.valueOf(status.toUpperCase(Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("Unknown status '" + status + "'; statuses are "
                                + List.of(MachineStatus.values()));
                    }
                }
                MachinePage page = inventory.machines(new MachineQuery(groupId, subgroups, st,
                        Optional.ofNullable(text), offset, limit));
                var table = new ShellTable();
                for (String column : List.of("Name", "Group", "MAC", "IP", "Power", "Status")) {
                    table.column(column);
                }
                for (Machine m : page.machines()) {
                    table.addRow().addContent(m.name(), m.groupPath(), macs(m), m.ip().orElse(""), m.powerState(),
                            m.status().label());
                }
                table.print(System.out);
                System.out.println(page.machines().size() + " of " + page.total() + " machines (from " + page.offset()
                        + ")");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "machine-show", description = "Shows one machine")
    public static class MachineShow implements Action {
        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "name", required = true)
        @Completion(MachineNameCompleter.class)
        String name;

        @Override
        public Object execute() {
            Machine m = machine(inventory, name);
            System.out.println("Name:      " + m.name() + " (id " + m.id() + ")");
            System.out.println("Group:     " + m.groupPath());
            System.out.println("MAC:       " + macs(m));
            System.out.println("UUID:      " + m.uuid().orElse(""));
            System.out.println("IP:        " + m.ip().orElse(""));
            System.out.println("Model:     " + m.model().orElse(""));
            System.out.println("Deploy-OS: " + m.deployOs().orElse("(use default)"));
            System.out.println("Power:     " + m.powerState());
            System.out.println("Status:    " + m.status().label());
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "machine-add", description = "Registers a machine in a group")
    public static class MachineAdd implements Action {
        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "group", required = true, description = "full group path")
        @Completion(GroupPathCompleter.class)
        String group;

        @Argument(index = 1, name = "name", required = true)
        String name;

        @Argument(index = 2, name = "macs", required = true, multiValued = true,
                description = "MAC addresses, e.g. 00-50-56-AA-BB-CC; the first is primary unless --primary")
        List<String> macs;

        @Option(name = "--primary", description = "the primary MAC (Wake-on-LAN, network boot)")
        String primary;

        @Option(name = "--uuid")
        String uuid;

        @Option(name = "--ip")
        String ip;

        @Option(name = "--model")
        String model;

        @Option(name = "--deploy-os", description = "explicit Deploy-OS; left out: use the default")
        String deployOs;

        @Override
        public Object execute() {
            try {
                Machine m = inventory.createMachine(GroupCommands.group(inventory, group).id(), new MachineSpec(name,
                        macs, Optional.ofNullable(primary), Optional.ofNullable(uuid), Optional.ofNullable(ip),
                        Optional.ofNullable(model), Optional.ofNullable(deployOs)));
                System.out.println("Machine " + m.name() + " registered in " + m.groupPath() + " (id " + m.id() + ")");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "machine-delete", description = "Deletes a machine")
    public static class MachineDelete implements Action {
        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "name", required = true)
        @Completion(MachineNameCompleter.class)
        String name;

        @Override
        public Object execute() {
            try {
                inventory.deleteMachine(machine(inventory, name).id());
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            System.out.println("Machine " + name + " deleted");
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "machine-move", description = "Moves machines to a group, all or none")
    public static class MachineMove implements Action {
        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "group", required = true, description = "destination group path")
        @Completion(GroupPathCompleter.class)
        String group;

        @Argument(index = 1, name = "names", required = true, multiValued = true)
        @Completion(MachineNameCompleter.class)
        List<String> names;

        @Override
        public Object execute() {
            try {
                List<Long> ids = new ArrayList<>();
                for (String n : names) {
                    ids.add(machine(inventory, n).id());
                }
                int moved = inventory.moveMachines(ids, GroupCommands.group(inventory, group).id());
                System.out.println(moved + " machines moved to " + group);
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "machine-new-list", description = "Lists the machines under New Machine")
    public static class NewMachineList implements Action {
        @Reference
        InventoryService inventory;

        @Override
        public Object execute() {
            var table = new ShellTable();
            for (String column : List.of("MAC", "UUID", "IP", "Name", "Seen by", "Last seen")) {
                table.column(column);
            }
            try {
                for (NewMachine m : inventory.newMachines()) {
                    table.addRow().addContent(m.mac(), m.uuid().orElse(""), m.ip().orElse(""), m.name().orElse(""),
                            m.seenBy(), m.lastSeen());
                }
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            table.print(System.out);
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "machine-register", description = "Registers New Machines (by MAC) into a group in"
            + " one step, all or none")
    public static class MachineRegister implements Action {
        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "group", required = true, description = "destination group path")
        @Completion(GroupPathCompleter.class)
        String group;

        @Argument(index = 1, name = "macs", required = true, multiValued = true, description = "MACs of New Machines")
        @Completion(NewMachineCompleter.class)
        List<String> macs;

        @Override
        public Object execute() {
            try {
                List<NewMachine> listed = inventory.newMachines();
                List<NewMachineRegistration> chosen = new ArrayList<>();
                for (String mac : macs) {
                    String wanted = mac.strip().toLowerCase(Locale.ROOT).replace('-', ':');
                    NewMachine m = listed.stream().filter(n -> n.mac().equals(wanted)).findFirst()
                            .orElseThrow(() -> new IllegalArgumentException("No New Machine with MAC " + mac));
                    chosen.add(new NewMachineRegistration(m.id(), Optional.empty()));
                }
                for (Machine m : inventory.registerNewMachines(GroupCommands.group(inventory, group).id(), chosen)) {
                    System.out.println("Machine " + m.name() + " (" + macs(m) + ") registered in " + m.groupPath());
                }
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    /** Completes machine names from the prefix typed so far (at most 200, so 40000 machines stay quick). */
    @Service
    public static class MachineNameCompleter implements Completer {
        @Reference
        InventoryService inventory;

        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return Completions.of(() -> inventory.machineNames(Completions.typed(commandLine), 200),
                    session, commandLine, candidates);
        }
    }

    /** Completes the MACs listed under New Machine. */
    @Service
    public static class NewMachineCompleter implements Completer {
        @Reference
        InventoryService inventory;

        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return Completions.of(() -> inventory.newMachines().stream().map(NewMachine::mac).toList(),
                    session, commandLine, candidates);
        }
    }
}
