package org.opendpm.shell.internal;

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
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.boot.BootIntentService;
import org.opendpm.api.boot.BootStatus;
import org.opendpm.api.boot.BootStatusService;
import org.opendpm.api.boot.MachineBootIntent;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.api.boot.ServerPorts;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.shell.internal.MachineCommands.MachineNameCompleter;

/** dpm:boot-* commands: the network boot servers' counters and a machine's next-boot intent (NET-1). */
public final class BootCommands {

    static final List<String> INTENTS = List.of("local-disk", "deploy-os", "os-installer", "memdisk-floppy",
            "efi-application");

    private BootCommands() {
    }

    /**
     * The intent the command line asks for; options that do not belong to the intent are refused here with the
     * option's name (the service would name its field, which the shell user never typed).
     */
    static NextBoot intent(String kind, String deployOs, String kernel, String initrd, String append,
            boolean oneShot) {
        switch (kind) {
        case "local-disk":
            only(kind, "--deploy-os", deployOs);
            only(kind, "--kernel", kernel);
            only(kind, "--initrd", initrd);
            only(kind, "--append", append);
            return NextBoot.localDisk(oneShot);
        case "deploy-os":
            only(kind, "--kernel", kernel);
            only(kind, "--initrd", initrd);
            only(kind, "--append", append);
            return NextBoot.deployOs(Optional.ofNullable(deployOs), oneShot);
        case "os-installer":
            only(kind, "--deploy-os", deployOs);
            if (kernel == null) {
                throw new IllegalArgumentException("os-installer needs --kernel <path below the TFTP root>");
            }
            return NextBoot.osInstaller(kernel, initrd, append, oneShot);
        case "memdisk-floppy":
            only(kind, "--deploy-os", deployOs);
            only(kind, "--append", append);
            if (kernel == null || initrd == null) {
                throw new IllegalArgumentException(
                        "memdisk-floppy needs --kernel <memdisk> and --initrd <floppy image>,"
                                + " paths below the TFTP root");
            }
            return NextBoot.memdiskFloppy(kernel, initrd, oneShot);
        case "efi-application":
            only(kind, "--deploy-os", deployOs);
            only(kind, "--initrd", initrd);
            if (kernel == null) {
                throw new IllegalArgumentException("efi-application needs --kernel <.efi path below the TFTP root>");
            }
            return NextBoot.efiApplication(kernel, append, oneShot);
        default:
            throw new IllegalArgumentException("Unknown intent '" + kind + "'; intents are " + INTENTS);
        }
    }

    private static void only(String kind, String option, String value) {
        if (value != null) {
            throw new IllegalArgumentException(option + " does not apply to " + kind);
        }
    }

    static String describe(MachineBootIntent m) {
        NextBoot i = m.intent();
        StringBuilder s = new StringBuilder(i.kind().name());
        i.deployOs().ifPresent(d -> s.append(" ").append(d));
        if (!i.kernel().isEmpty()) {
            s.append(" kernel=").append(i.kernel());
        }
        if (!i.initrd().isEmpty()) {
            s.append(" initrd=").append(i.initrd());
        }
        if (!i.bootArguments().isEmpty()) {
            s.append(" append=\"").append(i.bootArguments()).append('"');
        }
        s.append(i.oneShot() ? ", one-shot" : ", sticky");
        s.append(", set by ").append(m.setBy()).append(" at ").append(m.setAt());
        return s.toString();
    }

    @Service
    @Command(scope = "dpm", name = "boot-intent", description = "Shows or sets what a machine boots next from the"
            + " network: local-disk, deploy-os [--deploy-os ID], os-installer --kernel K [--initrd I] [--append ARGS],"
            + " memdisk-floppy --kernel MEMDISK --initrd IMAGE or efi-application --kernel APP.efi [--append ARGS];"
            + " --clear removes it (local disk)")
    public static class BootIntentCommand implements Action {
        @Reference
        InventoryService inventory;

        @Reference
        BootIntentService intents;

        @Reference
        Session session;

        @Argument(index = 0, name = "machine", required = true, description = "machine name")
        @Completion(MachineNameCompleter.class)
        String name;

        @Argument(index = 1, name = "intent", description = "local-disk, deploy-os, os-installer, memdisk-floppy or"
                + " efi-application; left out: show")
        @Completion(value = StringsCompleter.class, values = { "local-disk", "deploy-os", "os-installer",
                "memdisk-floppy", "efi-application" })
        String kind;

        @Option(name = "--deploy-os", description = "deploy-os: this Deploy-OS instead of the machine's")
        String deployOs;

        @Option(name = "--kernel", description = "os-installer: kernel; memdisk-floppy: memdisk; efi-application:"
                + " the .efi; a path below the TFTP root")
        String kernel;

        @Option(name = "--initrd", description = "os-installer: initial ram disk; memdisk-floppy: the floppy image;"
                + " a path below the TFTP root")
        String initrd;

        @Option(name = "--append", description = "os-installer: kernel command line; efi-application: its arguments")
        String append;

        @Option(name = "--one-shot", description = "clear the intent once the machine fetched its boot configuration")
        boolean oneShot;

        @Option(name = "--clear", description = "remove the intent: the machine boots its local disk")
        boolean clear;

        @Override
        public Object execute() {
            Machine m = MachineCommands.machine(inventory, name);
            try {
                if (clear) {
                    if (kind != null) {
                        throw new IllegalArgumentException("--clear takes no intent");
                    }
                    System.out.println(intents.clear(m.id())
                            ? "Next boot of " + m.name() + " cleared: local disk"
                            : m.name() + " had no next-boot intent");
                    return null;
                }
                if (kind != null) {
                    Object user = session.get("USER");
                    String who = user == null ? "shell" : user.toString();
                    MachineBootIntent set = intents.set(m.id(), intent(kind, deployOs, kernel, initrd, append,
                            oneShot), who);
                    System.out.println(m.name() + ": " + describe(set));
                    return null;
                }
                System.out.println(m.name() + ": " + intents.get(m.id()).map(BootCommands::describe)
                        .orElse("no intent (local disk)"));
                return null;
            } catch (OpenDpmException e) {
                throw UserCommands.clear(e);
            }
        }
    }

    @Service
    @Command(scope = "dpm", name = "boot-status", description = "Network boot counters since start (TFTP, PXE,"
            + " boot clients, HTTP boot) and the ports of Port.ini")
    public static class BootStatusCommand implements Action {
        @Reference
        BootStatusService status;

        @Override
        public Object execute() {
            System.out.print(format(status.status()));
            return null;
        }
    }

    static String format(BootStatus s) {
        BootStatus.Tftp t = s.tftp();
        BootStatus.Pxe p = s.pxe();
        StringBuilder out = new StringBuilder();
        out.append("TFTP:  ").append(t.running() ? "running" : "stopped").append(", in flight ").append(t.inFlight())
                .append(", started ").append(t.started()).append(", completed ").append(t.completed())
                .append(", failed ").append(t.failed()).append(", bytes sent ").append(t.bytesSent())
                .append(", received ").append(t.bytesReceived()).append(", retransmissions ")
                .append(t.retransmissions()).append('\n');
        appendCounts(out, "  errors", t.errors());
        out.append("PXE:   ").append(p.running() ? "running" : "stopped").append(", packets ").append(p.received())
                .append('\n');
        appendCounts(out, "  outcomes", p.outcomes());
        appendCounts(out, "  malformed", p.malformed());
        out.append("Boot:  clients seen ").append(s.clientsSeen()).append(", decisions ").append(s.bootDecisions())
                .append(", HTTP boot requests ").append(s.httpBootRequests()).append('\n');
        ServerPorts ports = s.ports();
        out.append("Ports: FTUnicast TCP ").append(ports.ftUnicast()).append(", agent TCP ").append(ports.agentTcp1())
                .append(' ').append(ports.agentTcp2()).append(' ').append(ports.agentTcp3()).append(", agent UDP ")
                .append(ports.agentUdp()).append(' ').append(ports.agentSearchUdp()).append(" (Port.ini)\n");
        return out.toString();
    }

    /** Non-zero counters only: most kinds stay at zero and would bury the ones that matter. */
    private static void appendCounts(StringBuilder out, String label, Map<String, Long> counts) {
        StringBuilder line = new StringBuilder();
        counts.forEach((k, v) -> {
            if (v != 0) {
                line.append(line.length() == 0 ? "" : ", ").append(k).append(' ').append(v);
            }
        });
        if (line.length() > 0) {
            out.append(label).append(": ").append(line).append('\n');
        }
    }
}
