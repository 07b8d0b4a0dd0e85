package org.opendpm.shell.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.packages.InstallerKind;
import org.opendpm.api.packages.NextStartupService;
import org.opendpm.api.packages.PackageFile;
import org.opendpm.api.packages.PackageKind;
import org.opendpm.api.packages.PackageService;
import org.opendpm.api.packages.PackageSpec;
import org.opendpm.api.packages.PendingRun;
import org.opendpm.api.packages.RegisteredPackage;
import org.opendpm.api.packages.Urgency;
import org.opendpm.api.scenario.ScenarioService;

/** dpm:package-*: the package registry (PKG-1); dpm:next-startup-*: Execute At Next Startup (EXE-11). */
public final class PackageCommands {

    private PackageCommands() {
    }

    static String list(List<RegisteredPackage> packages) {
        if (packages.isEmpty()) {
            return "No package is registered\n";
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-5s %-28s %-13s %-8s %-7s %s%n", "Id",
                "Name", "Kind", "Urgency", "Install", "Files"));
        for (RegisteredPackage p : packages) {
            sb.append(String.format(Locale.ROOT, "%-5d %-28s %-13s %-8s %-7s %d%n", p.id(), p.name(), p.spec().kind(),
                    p.spec().urgency(), p.spec().installer(), p.files().size()));
        }
        return sb.toString();
    }

    static RegisteredPackage byName(PackageService packages, String name) {
        return packages.find(name).orElseThrow(() -> new IllegalArgumentException("No package " + name));
    }

    static <E extends Enum<E>> E value(String what, String text, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text.replace('-', '_'))) {
                return e;
            }
        }
        throw new IllegalArgumentException("Unknown " + what + " " + text + "; one of "
                + Arrays.toString(type.getEnumConstants()));
    }

    static List<Integer> codes(String list) {
        if (list == null || list.isBlank()) {
            return List.of();
        }
        try {
            return Arrays.stream(list.split(",")).map(String::trim).map(Integer::valueOf).toList();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Exit codes are integers separated by commas, not " + list);
        }
    }

    @Service
    @Command(scope = "dpm", name = "package-list", description = "Lists the registered packages")
    public static class PackageList implements Action {
        @Reference
        PackageService packages;

        @Override
        public Object execute() {
            try {
                System.out.print(list(packages.list()));
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "package-show", description = "Shows a package and its files")
    public static class PackageShow implements Action {
        @Reference
        PackageService packages;

        @Argument(index = 0, name = "name", required = true, description = "The package")
        String name;

        @Override
        public Object execute() {
            try {
                RegisteredPackage p = byName(packages, name);
                PackageSpec s = p.spec();
                System.out.println(p.name() + " (id " + p.id() + "): " + s.kind() + ", urgency " + s.urgency()
                        + ", installer " + s.installer() + s.command().map(c -> " '" + c + "'").orElse("")
                        + ", success " + s.successCodes() + ", restart needed " + s.rebootCodes() + ", time-out "
                        + s.timeoutMinutes() + " min");
                for (PackageFile f : p.files()) {
                    System.out.println("  " + f.name() + "  " + f.size() + " bytes  " + f.sha256());
                }
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "package-add", description = "Registers a package (PKG-1); add its files with"
            + " dpm:package-upload")
    public static class PackageAdd implements Action {
        @Reference
        PackageService packages;

        @Argument(index = 0, name = "name", required = true, description = "At most 126 characters, none of \" ; \\"
                + " / :")
        String name;

        @Argument(index = 1, name = "kind", required = true, description = "service-pack, hotfix, linux-patch or"
                + " application")
        String kind;

        @Option(name = "--urgency", description = "highest, high, normal (default) or low")
        String urgency = "normal";

        @Option(name = "--installer", description = "deb, rpm or script (default deb)")
        String installer = "deb";

        @Option(name = "--command", description = "The install command of a script package, run in its folder")
        String command;

        @Option(name = "--version", description = "A service pack's major.minor version")
        String version;

        @Option(name = "--ms-number", description = "A hotfix's MS number")
        String msNumber;

        @Option(name = "--display-name", description = "An application's display name")
        String displayName;

        @Option(name = "--id", description = "An ID standing for the version, MS number or display name")
        String packageId;

        @Option(name = "--success", description = "Exit codes meaning success, comma-separated (default 0)")
        String success = "0";

        @Option(name = "--reboot", description = "Exit codes meaning success that needs a restart (e.g. 3010)")
        String reboot;

        @Option(name = "--timeout", description = "Minutes the installer may run (default 30)")
        int timeoutMinutes = 30;

        @Override
        public Object execute() {
            try {
                RegisteredPackage p = packages.create(new PackageSpec(name, value("kind", kind, PackageKind.class),
                        Optional.ofNullable(version), Optional.ofNullable(msNumber), Optional.ofNullable(displayName),
                        Optional.ofNullable(packageId), value("urgency", urgency, Urgency.class),
                        value("installer", installer, InstallerKind.class), Optional.ofNullable(command),
                        codes(success), codes(reboot), timeoutMinutes, Optional.empty()));
                System.out.println("Registered " + p.name() + " (id " + p.id() + ")");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "package-update", description = "Changes a registered package; options left out"
            + " keep their value")
    public static class PackageUpdate implements Action {
        @Reference
        PackageService packages;

        @Argument(index = 0, name = "name", required = true, description = "The package")
        String name;

        @Option(name = "--name", description = "A new name")
        String newName;

        @Option(name = "--urgency", description = "highest, high, normal or low")
        String urgency;

        @Option(name = "--command", description = "The install command of a script package")
        String command;

        @Option(name = "--success", description = "Exit codes meaning success, comma-separated")
        String success;

        @Option(name = "--reboot", description = "Exit codes meaning success that needs a restart; '' for none")
        String reboot;

        @Option(name = "--timeout", description = "Minutes the installer may run")
        Integer timeoutMinutes;

        @Override
        public Object execute() {
            try {
                RegisteredPackage p = byName(packages, name);
                PackageSpec s = p.spec();
                PackageSpec changed = new PackageSpec(newName == null ? s.name() : newName, s.kind(), s.version(),
                        s.msNumber(), s.displayName(), s.packageId(),
                        urgency == null ? s.urgency() : value("urgency", urgency, Urgency.class), s.installer(),
                        command == null ? s.command() : Optional.of(command),
                        success == null ? s.successCodes() : codes(success),
                        reboot == null ? s.rebootCodes() : codes(reboot),
                        timeoutMinutes == null ? s.timeoutMinutes() : timeoutMinutes, s.description());
                packages.update(p.id(), changed);
                System.out.println("Changed " + changed.name() + " (id " + p.id() + ")");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "package-upload", description = "Adds a file of this server to a package: copied"
            + " into the package area of the Folder for Image and hashed")
    public static class PackageUpload implements Action {
        @Reference
        PackageService packages;

        @Argument(index = 0, name = "package", required = true, description = "The package")
        String name;

        @Argument(index = 1, name = "file", required = true, description = "A file on this server")
        String file;

        @Option(name = "--sha256", description = "The SHA-256 the file must have")
        String sha256;

        @Override
        public Object execute() throws IOException {
            Path source = Path.of(file);
            try (InputStream in = Files.newInputStream(source)) {
                PackageFile f = packages.addFile(byName(packages, name).id(), source.getFileName().toString(), in,
                        Optional.ofNullable(sha256));
                System.out.println("Added " + f.name() + " (" + f.size() + " bytes, SHA-256 " + f.sha256() + ")");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "package-file-delete", description = "Removes one file of a package")
    public static class PackageFileDelete implements Action {
        @Reference
        PackageService packages;

        @Argument(index = 0, name = "package", required = true, description = "The package")
        String name;

        @Argument(index = 1, name = "file", required = true, description = "The file's name")
        String file;

        @Override
        public Object execute() {
            try {
                packages.deleteFile(byName(packages, name).id(), file);
                System.out.println("Removed " + file + " from " + name);
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "package-delete", description = "Deletes a package and its files")
    public static class PackageDelete implements Action {
        @Reference
        PackageService packages;

        @Argument(index = 0, name = "name", required = true, description = "The package")
        String name;

        @Override
        public Object execute() {
            try {
                packages.delete(byName(packages, name).id());
                System.out.println("Deleted " + name);
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "next-startup-add", description = "Queues a package scenario to run when the"
            + " machine's agent next starts, not when a connection comes back (EXE-11; at most 100 per machine)")
    public static class NextStartupAdd implements Action {
        @Reference
        NextStartupService queue;
        @Reference
        InventoryService inventory;
        @Reference
        ScenarioService scenarios;

        @Argument(index = 0, name = "machine", required = true, description = "The machine")
        @Completion(MachineCommands.MachineNameCompleter.class)
        String machine;

        @Argument(index = 1, name = "scenario", required = true, description = "A scenario with a Package tab")
        @Completion(ScenarioCommands.ScenarioNameCompleter.class)
        String scenario;

        @Override
        public Object execute() {
            long id = ExecutionCommands.machineIds(inventory, List.of(machine), "nothing was queued").get(0);
            try {
                PendingRun r = queue.queue(id, ScenarioCommands.scenario(scenarios, scenario).id(), "shell");
                System.out.println("Queued " + r.scenarioName() + " for the next startup of " + machine + " (entry "
                        + r.id() + ")");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "next-startup-list", description = "Lists the package scenarios waiting for a"
            + " machine's next startup")
    public static class NextStartupList implements Action {
        @Reference
        NextStartupService queue;
        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "machine", required = true, description = "The machine")
        @Completion(MachineCommands.MachineNameCompleter.class)
        String machine;

        @Override
        public Object execute() {
            long id = ExecutionCommands.machineIds(inventory, List.of(machine), "nothing was listed").get(0);
            try {
                List<PendingRun> runs = queue.pending(id);
                if (runs.isEmpty()) {
                    System.out.println("Nothing waits for the next startup of " + machine);
                }
                for (PendingRun r : runs) {
                    System.out.println(String.format(Locale.ROOT, "%-6d %-32s %-16s %s", r.id(), r.scenarioName(),
                            r.queuedBy(), r.queuedAt()));
                }
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "next-startup-cancel", description = "Cancels a package scenario waiting for a"
            + " machine's next startup")
    public static class NextStartupCancel implements Action {
        @Reference
        NextStartupService queue;
        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "machine", required = true, description = "The machine")
        @Completion(MachineCommands.MachineNameCompleter.class)
        String machine;

        @Argument(index = 1, name = "entry", required = true, description = "The entry's id (dpm:next-startup-list)")
        long entry;

        @Override
        public Object execute() {
            long id = ExecutionCommands.machineIds(inventory, List.of(machine), "nothing was cancelled").get(0);
            try {
                queue.cancel(id, entry);
                System.out.println("Cancelled entry " + entry + " of " + machine);
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }
}
