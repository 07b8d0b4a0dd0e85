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
import org.opendpm.api.agent.RemoteFile;
import org.opendpm.api.files.FileOperation;
import org.opendpm.api.files.FileOperationService;
import org.opendpm.api.files.ServerFile;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.shell.internal.MachineCommands.MachineNameCompleter;

/** dpm:file-*: sending a server file to machines, deleting and listing files there (FIL-1), and the results (FIL-2). */
public final class FileCommands {

    static final int MAX_LIMIT = 1000;

    private FileCommands() {
    }

    static String permissions(String text) {
        String p = text.strip();
        if (!p.matches("[0-7]{3}")) {
            throw new IllegalArgumentException("Permissions must be three octal digits such as 640 or 755, not '"
                    + text + "'");
        }
        return p;
    }

    static ShellTable operationTable(List<FileOperation> operations) {
        var table = new ShellTable();
        for (String column : List.of("Id", "Machine", "Kind", "File", "Target", "Perm", "State", "Started", "Ended",
                "By", "Message")) {
            table.column(column);
        }
        for (FileOperation o : operations) {
            table.addRow().addContent(o.id(), o.machineName(), o.kind(), o.source(), o.target(), o.permissions(),
                    o.state(), ExecutionCommands.time(o.startedAt()), ExecutionCommands.time(o.endedAt()),
                    o.requestedBy(), o.message());
        }
        return table;
    }

    @Service
    @Command(scope = "dpm", name = "file-send", description = "Sends a file of the server's file folder into a folder"
            + " on machines, with POSIX permissions; each machine gets an operation that finishes in the background"
            + " (dpm:file-operations)")
    public static class FileSend implements Action {
        @Reference
        FileOperationService files;

        @Reference
        InventoryService inventory;

        @Reference
        Session session;

        @Argument(index = 0, name = "file", required = true, description = "name of a file in the server's file"
                + " folder")
        @Completion(ServerFileCompleter.class)
        String file;

        @Argument(index = 1, name = "folder", required = true, description = "folder on the machines")
        String folder;

        @Argument(index = 2, name = "permissions", required = true, description = "three octal digits, e.g. 640")
        String permissions;

        @Argument(index = 3, name = "machines", required = true, multiValued = true, description = "machine names")
        @Completion(MachineNameCompleter.class)
        List<String> machines;

        @Override
        public Object execute() {
            String p = permissions(permissions);
            List<Long> ids = ExecutionCommands.machineIds(inventory, machines, "nothing was sent");
            try {
                List<FileOperation> started = files.send(ids, file, folder, p, ExecutionCommands.user(session));
                operationTable(started).print(System.out);
                System.out.println(started.size() + " file operations started");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "file-delete", description = "Deletes one file on a machine; the operation finishes"
            + " in the background (dpm:file-operations)")
    public static class FileDelete implements Action {
        @Reference
        FileOperationService files;

        @Reference
        InventoryService inventory;

        @Reference
        Session session;

        @Argument(index = 0, name = "machine", required = true, description = "machine name")
        @Completion(MachineNameCompleter.class)
        String machine;

        @Argument(index = 1, name = "path", required = true, description = "full path of the file on the machine")
        String path;

        @Override
        public Object execute() {
            Machine m = MachineCommands.machine(inventory, machine);
            try {
                FileOperation o = files.delete(m.id(), path, ExecutionCommands.user(session));
                System.out.println("File operation " + o.id() + ": delete " + o.target() + " on " + o.machineName()
                        + ", " + o.state());
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "file-list", description = "Lists a folder on a machine through its agent")
    public static class FileList implements Action {
        @Reference
        FileOperationService files;

        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "machine", required = true, description = "machine name")
        @Completion(MachineNameCompleter.class)
        String machine;

        @Argument(index = 1, name = "folder", required = true, description = "folder on the machine")
        String folder;

        @Override
        public Object execute() {
            Machine m = MachineCommands.machine(inventory, machine);
            try {
                List<RemoteFile> entries = files.list(m.id(), folder);
                var table = new ShellTable();
                table.column("Name");
                table.column("Type");
                table.column("Size").alignRight();
                table.column("Modified");
                table.column("Perm");
                for (RemoteFile f : entries) {
                    table.addRow().addContent(f.name(), f.directory() ? "folder" : "file", f.directory()
                            ? ""
                            : Long.toString(f.size()), ExecutionCommands.time(f.modified()), f.permissions());
                }
                table.print(System.out);
                System.out.println(entries.size() + " entries in " + folder + " on " + m.name());
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "file-operations", description = "The File Operation Result List, newest first")
    public static class FileOperations implements Action {
        @Reference
        FileOperationService files;

        @Reference
        InventoryService inventory;

        @Option(name = "-m", aliases = "--machine", description = "only this machine")
        @Completion(MachineNameCompleter.class)
        String machine;

        @Option(name = "--offset", description = "operations to skip")
        int offset;

        @Option(name = "-n", aliases = "--limit", description = "operations to show, 1 to 1000 (default 20)")
        int limit = 20;

        @Override
        public Object execute() {
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException("-n must be from 1 to " + MAX_LIMIT + ", not " + limit);
            }
            if (offset < 0) {
                throw new IllegalArgumentException("--offset must be 0 or more, not " + offset);
            }
            Optional<Long> machineId = machine == null
                    ? Optional.empty()
                    : Optional.of(MachineCommands.machine(inventory, machine).id());
            try {
                List<FileOperation> ops = files.operations(machineId, offset, limit);
                operationTable(ops).print(System.out);
                System.out.println(ops.size() + " file operations (from " + offset + ")");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    /** Completes the names of the files in the server's file folder. */
    @Service
    public static class ServerFileCompleter implements Completer {
        @Reference
        FileOperationService files;

        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return Completions.of(() -> files.serverFiles().stream().map(ServerFile::name).toList(),
                    session, commandLine, candidates);
        }
    }
}
