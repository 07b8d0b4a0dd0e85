package org.opendpm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the tests that run QEMU machines against the distribution share: the peers they need, a server set up for
 * machines that network-boot its Deploy-OS through iPXE over QEMU's user network, the machines themselves and their
 * disks, and waiting for an execution's result with the evidence at hand when it fails.
 */
final class QemuMachines implements AutoCloseable {

    static final Path OVMF = Path.of("/usr/share/ovmf/OVMF.fd");

    private final List<Process> processes = new ArrayList<>();

    /**
     * True when QEMU, its iPXE ROM, OVMF, the tools and the Deploy-OS image are here; false (skip, with a message)
     * elsewhere, and a failure when {@code CI=true}.
     */
    static boolean requirePeers(String test, Path deployOs, List<String> tools) {
        List<String> missing = new ArrayList<>();
        for (String tool : tools) {
            if (tool(tool) == null) {
                missing.add(tool);
            }
        }
        if (tool("qemu-system-x86_64") == null) {
            missing.add("qemu-system-x86_64");
        }
        if (!Files.exists(Path.of("/usr/lib/ipxe/qemu/pxe-e1000.rom"))) {
            missing.add("ipxe-qemu");
        }
        if (!Files.exists(OVMF)) {
            missing.add("ovmf");
        }
        if (!Files.exists(deployOs.resolve("initrd.img"))) {
            missing.add("the Deploy-OS image in " + deployOs + " (deployos/build-deployos.sh)");
        }
        if (missing.isEmpty()) {
            return true;
        }
        String message = test + " needs " + missing;
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        System.err.println("SKIPPED: " + message);
        return false;
    }

    /** The Deploy-OS image the build made. */
    static Path deployOsImage() {
        return Path.of(System.getProperty("opendpm.deployos.dir", "../deployos/target/opendpm-deployos-amd64"))
                .toAbsolutePath();
    }

    /**
     * Sets up an unpacked server for QEMU machines: Wake-on-LAN stays on loopback, the Deploy-OS reaches the host's
     * loopback as QEMU's 10.0.2.2, and the Deploy-OS image is installed in the boot root. Returns the installed
     * image's folder.
     */
    static Path prepare(Path home, Path deployOs) throws IOException {
        Distribution.setKey(home.resolve("etc/org.opendpm.power.cfg"), "wakeOnLanAddress", "127.255.255.255");
        Files.writeString(home.resolve("etc/org.opendpm.netboot.http.cfg"), "advertisedAddress = 10.0.2.2\n");
        Path installed = Files.createDirectories(home.resolve("data/tftp/deployos/opendpm-amd64"));
        for (String f : List.of("vmlinuz", "initrd.img")) {
            Files.copy(deployOs.resolve(f), installed.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        return installed;
    }

    /** Where a machine that network-boots through iPXE starts: the server's boot script over HTTP. */
    static String bootFile(int httpPort) {
        return "http://10.0.2.2:" + httpPort + "/opendpm/boot/chain.ipxe";
    }

    /**
     * Starts a machine (TCG, 512 MiB, no display, exits instead of rebooting) whose serial line goes to
     * {@code console}, network-booting through iPXE with a virtio disk.
     */
    Process netboot(String mac, String bootFile, Path disk, boolean uefi, Path console) throws IOException {
        List<String> args = new ArrayList<>(List.of("-boot", "n", "-netdev", "user,id=n0,bootfile=" + bootFile,
                "-device", "e1000,netdev=n0,mac=" + mac, "-drive", "file=" + disk + ",if=virtio,format=raw"));
        if (uefi) {
            args.addAll(List.of("-bios", OVMF.toString()));
        }
        return qemu(args, console);
    }

    /**
     * Starts a machine as {@link #netboot} does (SeaBIOS), inside the network namespace {@code namespace} with its
     * e1000 NIC on the namespace's tap device {@code tap}: it gets its address and boot file from whatever DHCP server
     * serves that tap's bridge.
     */
    Process netbootOnTap(String namespace, String tap, String mac, Path disk, Path console) throws IOException {
        return qemu(List.of("ip", "netns", "exec", namespace), List.of("-boot", "n", "-netdev", "tap,id=n0,ifname="
                + tap + ",script=no,downscript=no", "-device", "e1000,netdev=n0,mac=" + mac, "-drive",
                "file=" + disk
                        + ",if=virtio,format=raw"),
                console);
    }

    /** Starts QEMU with these machine arguments after the common ones. */
    Process qemu(List<String> machine, Path console) throws IOException {
        return qemu(List.of(), machine, console);
    }

    private Process qemu(List<String> prefix, List<String> machine, Path console) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("qemu-system-x86_64", "-accel", "tcg", "-m", "512", "-display", "none", "-monitor", "none",
                "-no-reboot", "-serial", "file:" + console));
        cmd.addAll(machine);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(console.resolveSibling(console.getFileName() + ".qemu").toFile()).start();
        processes.add(p);
        return p;
    }

    @Override
    public void close() {
        processes.forEach(Process::destroyForcibly);
    }

    /** A disk image of {@code bytes}, partitioned by sfdisk's script. */
    static Path partitioned(Path image, long bytes, String sfdiskScript) throws Exception {
        blank(image, bytes);
        Process sfdisk = new ProcessBuilder(tool("sfdisk"), "--quiet", image.toString()).redirectErrorStream(true)
                .start();
        try (var in = sfdisk.getOutputStream()) {
            in.write(sfdiskScript.getBytes(StandardCharsets.US_ASCII));
        }
        assertEquals(new String(sfdisk.getInputStream().readAllBytes()), 0, sfdisk.waitFor());
        return image;
    }

    /** A disk image of {@code bytes} that reads as zeros. */
    static Path blank(Path image, long bytes) throws IOException {
        try (var f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(bytes);
        }
        return image;
    }

    /**
     * Waits for the machine's execution to end; returns its result when it ended in {@code expected}, and fails
     * otherwise with what the server, the machine and its console did.
     */
    static JsonNode awaitResult(Rest rest, String user, String password, long machine, long execution,
            String expected, Process vm, Path console, Path home, long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            for (JsonNode r : rest.get("results?machineId=" + machine, user, password).json().get("results")) {
                if (r.get("id").asLong() != execution) {
                    continue;
                }
                if (r.get("state").asText().equals(expected)) {
                    return r;
                }
                fail("execution " + execution + " ended " + r + "\nconsole:\n" + tail(console) + "\nkaraf.log:\n"
                        + tail(home.resolve("data/log/karaf.log")));
            }
            sleep(1000);
        }
        fail("execution " + execution + " still " + rest.get("executions/" + execution, user, password).body()
                + " after " + seconds + " s; VM " + (vm == null ? "none" : vm.isAlive() ? "running" : "exited")
                + "\nconsole:\n" + tail(console) + "\nkaraf.log:\n" + tail(home.resolve("data/log/karaf.log")));
        return null;
    }

    /** The tool's path on PATH or in /usr/sbin (not on every user's PATH), null when absent. */
    static String tool(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.add("/usr/sbin");
        for (String dir : dirs) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        return null;
    }

    static JsonNode ok(Rest.Response r, int status) {
        assertEquals(r.body(), status, r.status());
        return r.json();
    }

    static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static String tail(Path f) {
        String s = read(f);
        return s.substring(Math.max(0, s.length() - 6000));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
