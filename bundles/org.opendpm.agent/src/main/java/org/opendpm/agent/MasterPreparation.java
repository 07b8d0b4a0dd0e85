package org.opendpm.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import org.opendpm.agent.protocol.Message.PrepareMaster;

/**
 * What {@code prepareMaster} changes on a machine whose disk becomes a master image (SCN-4). Linux: what the guide's
 * LinuxRepSetUp does, so that each copy gets its own identity and takes its network settings from DHCP. Windows: the
 * Sysprep command line.
 */
final class MasterPreparation {

    private static final Logger LOG = Logger.getLogger(MasterPreparation.class.getName());
    /** Sysprep failing at once (a wrong option, not an administrator) is answered; later it shuts down. */
    static final long SYSPREP_EARLY_EXIT_SECONDS = 10;

    /** The preparation cannot be done here; answered with an {@code error}. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** The lines of an ifcfg file that tie it to this machine or to a fixed address. */
    private static final Pattern MACHINE_SPECIFIC = Pattern.compile(
            "\\s*(HWADDR|UUID|IPADDR\\w*|NETMASK\\w*|PREFIX\\w*|GATEWAY\\w*)\\s*=.*");
    private static final Pattern BOOTPROTO = Pattern.compile("\\s*BOOTPROTO\\s*=.*");
    /** Red Hat's and SUSE's folders of interface settings. */
    private static final List<String> IFCFG_FOLDERS = List.of("etc/sysconfig/network-scripts",
            "etc/sysconfig/network");
    /** Where dhclient, dhcpcd and NetworkManager keep leases. */
    private static final List<String> LEASE_FOLDERS = List.of("var/lib/dhcp", "var/lib/dhclient",
            "var/lib/NetworkManager");

    private MasterPreparation() {
    }

    /**
     * Prepares this machine as {@code system} and then forgets the agent's credential (the pinned fingerprint and the
     * settings stay), so every copy of the image registers anew under its own MAC. Returns whether the agent must
     * shut the machine down after acknowledging; Sysprep shuts Windows down itself.
     */
    static boolean carryOut(AgentContext ctx, String system) throws Refused {
        if (ctx.config.deployOs()) {
            throw new Refused("prepareMaster is served by the agent of the installed OS, not in a Deploy-OS");
        }
        boolean windows = !system.equals(PrepareMaster.LINUX);
        try {
            if (windows) {
                if (!Platform.isWindows()) {
                    throw new Refused((system.equals(PrepareMaster.WINDOWS_VM)
                            ? "System_WindowsMasterSetupVM"
                            : "System_WindowsMasterSetup") + " needs the agent of a Windows machine");
                }
                runSysprep(sysprep(System.getenv("WINDIR"), system.equals(PrepareMaster.WINDOWS_VM)));
            } else {
                if (!"Linux".equals(System.getProperty("os.name"))) {
                    throw new Refused("System_LinuxMasterSetup needs the agent of a Linux machine");
                }
                RootFolder root = new RootFolder(ctx.config.root());
                List<String> done = linux(root);
                LOG.info("Master preparation of " + root.root() + ": " + (done.isEmpty()
                        ? "nothing machine-specific found"
                        : String.join("; ", done)));
            }
            ctx.state.forgetCredential();
        } catch (IOException e) {
            throw new Refused("the master preparation failed: " + e);
        }
        if (!windows && !ctx.power.allowed()) {
            LOG.warning("The machine is prepared as a master image; --allow-power was not given, so it must be "
                    + "powered off by hand before its disk is backed up");
        }
        return !windows;
    }

    private static void runSysprep(List<String> command) throws Refused, IOException {
        LOG.info("Master preparation: running " + String.join(" ", command));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectInput(Platform.nullDevice()).start();
        try {
            if (p.waitFor(SYSPREP_EARLY_EXIT_SECONDS, TimeUnit.SECONDS) && p.exitValue() != 0) {
                throw new Refused("Sysprep exited with code " + p.exitValue() + ": " + String.join(" ", command)
                        + " (see %WINDIR%\\System32\\Sysprep\\Panther\\setuperr.log)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused("interrupted while Sysprep started");
        }
    }

    /**
     * Removes the machine-specific settings of the Linux below {@code root}; returns one line per change, for the log.
     * Files that do not exist are skipped: not every distribution has each of them.
     */
    static List<String> linux(RootFolder root) throws IOException {
        List<String> done = new ArrayList<>();
        // Emptied, not deleted: systemd writes a new id into an empty file at first boot.
        Optional<Path> machineId = root.existing("etc/machine-id");
        if (machineId.isPresent() && Files.isRegularFile(machineId.get()) && Files.size(machineId.get()) > 0) {
            Files.write(machineId.get(), new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
            done.add("emptied " + machineId.get());
        }
        delete(root, "var/lib/dbus/machine-id", done);
        for (String name : root.list("etc/ssh")) {
            if (name.startsWith("ssh_host_") && name.contains("_key")) {
                delete(root, "etc/ssh/" + name, done);
            }
        }
        delete(root, "etc/udev/rules.d/70-persistent-net.rules", done);
        for (String folder : LEASE_FOLDERS) {
            for (String name : root.list(folder)) {
                if (name.endsWith(".lease") || name.endsWith(".leases")) {
                    delete(root, folder + "/" + name, done);
                }
            }
        }
        for (String folder : IFCFG_FOLDERS) {
            for (String name : root.list(folder)) {
                if (name.startsWith("ifcfg-") && !name.equals("ifcfg-lo")) {
                    Optional<Path> file = root.existing(folder + "/" + name);
                    if (file.isPresent() && Files.isRegularFile(file.get()) && toDhcp(file.get())) {
                        done.add("set " + file.get() + " to DHCP");
                    }
                }
            }
        }
        return done;
    }

    private static void delete(RootFolder root, String relative, List<String> done) throws IOException {
        Optional<Path> p = root.deletable(relative);
        if (p.isPresent() && !Files.isDirectory(p.get(), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && Files.deleteIfExists(p.get())) {
            done.add("deleted " + p.get());
        }
    }

    /**
     * Drops the lines that tie an ifcfg file to this machine or a fixed address and sets {@code BOOTPROTO=dhcp};
     * {@code false} when it already was so. Rewritten through a temporary file with the same permissions.
     */
    static boolean toDhcp(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>(lines.size() + 1);
        boolean bootproto = false;
        for (String line : lines) {
            if (MACHINE_SPECIFIC.matcher(line).matches()) {
                continue;
            }
            if (BOOTPROTO.matcher(line).matches()) {
                if (!bootproto) {
                    out.add("BOOTPROTO=dhcp");
                    bootproto = true;
                }
                continue;
            }
            out.add(line);
        }
        if (!bootproto) {
            out.add("BOOTPROTO=dhcp");
        }
        if (out.equals(lines)) {
            return false;
        }
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            if (view != null) {
                PosixFileAttributes a = view.readAttributes();
                Files.setPosixFilePermissions(tmp, a.permissions());
            }
            Files.write(tmp, out, StandardCharsets.ISO_8859_1);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return true;
    }

    /**
     * {@code %WINDIR%\System32\Sysprep\sysprep.exe /generalize /oobe /shutdown /quiet}, with {@code /mode:vm} for a
     * virtual machine (Windows Server 2012 / Windows 8 and later keep the device configuration).
     */
    static List<String> sysprep(String windir, boolean vm) {
        String dir = windir == null || windir.isBlank() ? "C:\\Windows" : windir;
        List<String> command = new ArrayList<>(List.of(dir + "\\System32\\Sysprep\\sysprep.exe", "/generalize",
                "/oobe", "/shutdown", "/quiet"));
        if (vm) {
            command.add("/mode:vm");
        }
        return command;
    }
}
