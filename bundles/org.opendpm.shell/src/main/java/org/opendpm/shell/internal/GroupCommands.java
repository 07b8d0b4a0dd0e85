package org.opendpm.shell.internal;

import java.util.List;
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
import org.opendpm.api.inventory.MachineGroup;
import org.opendpm.api.inventory.NetworkSetting;

/** dpm:group-* commands: machine groups addressed by full path (INV-1, INV-2, INV-10). */
public final class GroupCommands {

    private GroupCommands() {
    }

    static MachineGroup group(InventoryService inventory, String path) {
        try {
            return inventory.findGroup(path).orElseThrow(() -> new IllegalArgumentException("No machine group "
                    + path));
        } catch (OpenDpmException e) {
            throw UserCommands.clear(e);
        }
    }

    static String network(NetworkSetting n) {
        return n.sameSubnet() ? "same subnet" : "gateway " + n.defaultGateway() + ", mask " + n.subnetMask();
    }

    @Service
    @Command(scope = "dpm", name = "group-list", description = "Lists machine groups by path")
    public static class GroupList implements Action {
        @Reference
        InventoryService inventory;

        @Override
        public Object execute() {
            var table = new ShellTable();
            table.column("Id");
            table.column("Path");
            table.column("Network");
            table.column("Machines").alignRight();
            try {
                for (MachineGroup g : inventory.groups()) {
                    table.addRow().addContent(g.id(), g.path(), network(g.network()), g.machineCount());
                }
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            table.print(System.out);
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "group-add", description = "Creates a machine group under an existing parent")
    public static class GroupAdd implements Action {
        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "path", required = true, description = "full path, e.g. /Group2/Subgroup21")
        @Completion(GroupPathCompleter.class)
        String path;

        @Option(name = "--gateway", description = "default gateway: the group is on a different subnet")
        String gateway;

        @Option(name = "--mask", description = "subnet mask, with --gateway")
        String mask;

        @Override
        public Object execute() {
            if ((gateway == null) != (mask == null)) {
                throw new IllegalArgumentException("A different subnet needs both --gateway and --mask");
            }
            NetworkSetting network = gateway == null
                    ? NetworkSetting.SAME_SUBNET
                    : NetworkSetting.differentSubnet(gateway, mask);
            try {
                MachineGroup g = inventory.createGroup(path, network);
                System.out.println("Group " + g.path() + " created (id " + g.id() + ", " + network(g.network()) + ")");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "group-delete", description = "Deletes a machine group")
    public static class GroupDelete implements Action {
        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "path", required = true)
        @Completion(GroupPathCompleter.class)
        String path;

        @Option(name = "-r", aliases = "--recursive", description = "also delete its sub-groups and all their machines")
        boolean recursive;

        @Override
        public Object execute() {
            try {
                inventory.deleteGroup(group(inventory, path).id(), recursive);
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            System.out.println("Group " + path + " deleted");
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "group-move", description = "Moves a group with everything in it under another"
            + " group, or to the top level with /")
    public static class GroupMove implements Action {
        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "path", required = true)
        @Completion(GroupPathCompleter.class)
        String path;

        @Argument(index = 1, name = "new-parent", required = true, description = "group path, or / for the top level")
        @Completion(GroupPathCompleter.class)
        String parent;

        @Override
        public Object execute() {
            try {
                Optional<Long> parentId = parent.strip().equals("/")
                        ? Optional.empty()
                        : Optional.of(group(inventory, parent).id());
                MachineGroup moved = inventory.moveGroup(group(inventory, path).id(), parentId);
                System.out.println("Group " + path + " is now " + moved.path());
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "group-rename", description = "Renames a group; its sub-groups follow")
    public static class GroupRename implements Action {
        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "path", required = true)
        @Completion(GroupPathCompleter.class)
        String path;

        @Argument(index = 1, name = "new-name", required = true)
        String name;

        @Override
        public Object execute() {
            try {
                MachineGroup g = inventory.updateGroup(group(inventory, path).id(), Optional.of(name),
                        Optional.empty());
                System.out.println("Group " + path + " is now " + g.path());
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    /** Completes full group paths. */
    @Service
    public static class GroupPathCompleter implements Completer {
        @Reference
        InventoryService inventory;

        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return Completions.of(() -> inventory.groups().stream().map(MachineGroup::path).toList(), session,
                    commandLine, candidates);
        }
    }
}
