package org.opendpm.shell.internal;

import java.nio.file.Path;
import java.util.ArrayList;
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
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.os.AnswerFileService;
import org.opendpm.api.os.MachineInstall;
import org.opendpm.api.os.OperatingSystem;
import org.opendpm.api.os.OperatingSystemService;
import org.opendpm.api.os.OperatingSystemSpec;
import org.opendpm.api.os.OsType;

/** dpm:os-*: registered operating systems (OSI-1), their templates and answer files (OSI-2). */
public final class OsCommands {

    private OsCommands() {
    }

    static String list(List<OperatingSystem> systems) {
        if (systems.isEmpty()) {
            return "No operating system is registered\n";
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-5s %-24s %-13s %-32s %s%n", "Id", "Name",
                "Type", "Kernel", "Source"));
        for (OperatingSystem os : systems) {
            sb.append(String.format(Locale.ROOT, "%-5d %-24s %-13s %-32s %s%n", os.id(), os.name(), os.type().key(),
                    os.kernel(), os.source()));
        }
        return sb.toString();
    }

    static OsType type(String key) {
        return OsType.ofKey(key).orElseThrow(() -> new IllegalArgumentException("Unknown type " + key + "; one of "
                + Arrays.stream(OsType.values()).map(OsType::key).toList()));
    }

    static OperatingSystem byName(OperatingSystemService systems, String name) {
        return systems.find(name).orElseThrow(() -> new IllegalArgumentException("No operating system " + name));
    }

    @Service
    @Command(scope = "dpm", name = "os-list", description = "Lists the registered operating systems")
    public static class OsList implements Action {
        @Reference
        OperatingSystemService systems;

        @Override
        public Object execute() {
            try {
                System.out.print(list(systems.list()));
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "os-add", description = "Registers an operating system: name, type (debian-12,"
            + " rhel-9 ...), installer kernel and initrd below the boot root, source below the image folder's exports")
    public static class OsAdd implements Action {
        @Reference
        OperatingSystemService systems;

        @Argument(index = 0, name = "name", required = true, description = "At most 126 letters, digits and ( ) - .")
        String name;

        @Argument(index = 1, name = "type", required = true, description = "debian-12, ubuntu-24.04, rhel-9 ...")
        @Completion(OsTypeCompleter.class)
        String type;

        @Argument(index = 2, name = "kernel", required = true, description = "e.g. pxelinux/debian12/linux")
        String kernel;

        @Argument(index = 3, name = "initrd", required = true, description = "e.g. pxelinux/debian12/initrd.gz")
        String initrd;

        @Argument(index = 4, name = "source", required = true, description = "tree or ISO below exports/")
        String source;

        @Override
        public Object execute() {
            try {
                OperatingSystem os = systems.create(new OperatingSystemSpec(name, type(type), kernel, initrd,
                        source));
                System.out.println("Registered " + os.name() + " (id " + os.id() + ")");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "os-update", description = "Changes a registered operating system; options left"
            + " out keep their value")
    public static class OsUpdate implements Action {
        @Reference
        OperatingSystemService systems;

        @Argument(index = 0, name = "name", required = true, description = "The operating system")
        @Completion(OsNameCompleter.class)
        String name;

        @Option(name = "--name", description = "New name")
        String newName;

        @Option(name = "--type", description = "New type")
        @Completion(OsTypeCompleter.class)
        String type;

        @Option(name = "--kernel", description = "New kernel path")
        String kernel;

        @Option(name = "--initrd", description = "New initrd path")
        String initrd;

        @Option(name = "--source", description = "New source path")
        String source;

        @Override
        public Object execute() {
            try {
                OperatingSystem os = byName(systems, name);
                OperatingSystem changed = systems.update(os.id(), new OperatingSystemSpec(
                        newName == null ? os.name() : newName, type == null ? os.type() : type(type),
                        kernel == null ? os.kernel() : kernel, initrd == null ? os.initrd() : initrd,
                        source == null ? os.source() : source));
                System.out.println("Changed " + changed.name());
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "os-delete", description = "Deletes a registered operating system (its files"
            + " stay)")
    public static class OsDelete implements Action {
        @Reference
        OperatingSystemService systems;

        @Argument(index = 0, name = "name", required = true, description = "The operating system")
        @Completion(OsNameCompleter.class)
        String name;

        @Override
        public Object execute() {
            try {
                systems.delete(byName(systems, name).id());
                System.out.println("Deleted " + name);
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "os-password-hash", description = "Prints the SHA-512 crypt of a root password"
            + " for the OS tab's rootPasswordHash; the clear text is not kept")
    public static class OsPasswordHash implements Action {
        @Reference
        OperatingSystemService systems;

        @Reference
        Session session;

        @Override
        public Object execute() throws Exception {
            char[] password = UserCommands.readPassword(session);
            try {
                System.out.println(systems.hashPassword(password));
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            } finally {
                Arrays.fill(password, '\0');
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "os-template-check", description = "Checks a type's answer file template as it"
            + " is now in the template folder, naming the line at fault")
    public static class OsTemplateCheck implements Action {
        @Reference
        AnswerFileService answers;

        @Argument(index = 0, name = "type", required = true, description = "debian-12, rhel-9 ...")
        @Completion(OsTypeCompleter.class)
        String type;

        @Override
        public Object execute() {
            try {
                answers.checkTemplate(type(type));
                System.out.println(answers.templateFolder().resolve(type(type).templateName()) + ": OK");
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    @Service
    @Command(scope = "dpm", name = "os-answer-files", description = "Writes the answer files of machines into a"
            + " folder (offline mode, batch): <folder>/<machine>/<file>")
    public static class OsAnswerFiles implements Action {
        @Reference
        AnswerFileService answers;

        @Reference
        OperatingSystemService systems;

        @Reference
        InventoryService inventory;

        @Argument(index = 0, name = "os", required = true, description = "The operating system")
        @Completion(OsNameCompleter.class)
        String os;

        @Argument(index = 1, name = "folder", required = true, description = "Where to write them")
        String folder;

        @Argument(index = 2, name = "machines", required = true, multiValued = true, description = "Machine names")
        @Completion(MachineCommands.MachineNameCompleter.class)
        List<String> machines;

        @Option(name = "--disk", description = "Target disk (default sda)")
        String disk = "sda";

        @Option(name = "--root-password-hash", required = true, description = "SHA-512 crypt (dpm:os-password-hash)")
        String hash;

        @Option(name = "--static", description = "Static network: each machine's IP address with --netmask,"
                + " --gateway, --nameserver")
        boolean fixed;

        @Option(name = "--netmask")
        String netmask;

        @Option(name = "--gateway")
        String gateway;

        @Option(name = "--nameserver")
        String nameserver;

        @Override
        public Object execute() {
            try {
                MachineInstall.Network network = fixed
                        ? new MachineInstall.Network(false, Optional.ofNullable(netmask), Optional.ofNullable(gateway),
                                Optional.ofNullable(nameserver))
                        : MachineInstall.Network.DHCP;
                List<MachineInstall> installs = new ArrayList<>();
                for (String m : machines) {
                    long id = inventory.findMachine(m)
                            .orElseThrow(() -> new NotFoundException("No machine " + m)).id();
                    installs.add(new MachineInstall(id, disk, hash, network, Optional.empty()));
                }
                for (Path p : answers.write(byName(systems, os).id(), installs, Path.of(folder))) {
                    System.out.println(p);
                }
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
            return null;
        }
    }

    /** Completes registered operating system names. */
    @Service
    public static class OsNameCompleter implements Completer {
        @Reference
        OperatingSystemService systems;

        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return Completions.of(() -> systems.list().stream().map(OperatingSystem::name).toList(), session,
                    commandLine, candidates);
        }
    }

    /** Completes operating system type keys. */
    @Service
    public static class OsTypeCompleter implements Completer {
        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return Completions.of(() -> Arrays.stream(OsType.values()).map(OsType::key).toList(), session,
                    commandLine, candidates);
        }
    }
}
