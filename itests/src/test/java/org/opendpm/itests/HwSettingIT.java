package org.opendpm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.opendpm.itests.QemuMachines.ok;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * HW setting end to end in real firmware (HWS-1, HWS-2): the distribution as an administrator runs it, images
 * registered through REST (each bad upload refused naming its field, nothing stored), and two HW Setting scenarios
 * executed at once on QEMU machines (TCG, iPXE over QEMU's user network):
 * <ul>
 * <li>SeaBIOS boots, once, a floppy image made here (mformat and {@code syslinux --install}, no loop mount) through
 * syslinux's memdisk (syslinux's banner on the serial line shows the floppy's loader ran); its syslinux.cfg runs
 * {@code reboot.c32}, the machine network-boots again, and the execution
 * ends COMPLETED; the one-shot boot is gone;</li>
 * <li>OVMF chain-loads Debian's memtest86+ EFI application; the server's log shows it served, memtest never comes
 * back, and at the scenario time-out (1 minute) the execution ends TIMED_OUT with HWS-2's message.</li>
 * </ul>
 *
 * <p>Needs qemu-system-x86, ipxe-qemu, ovmf, syslinux-common, syslinux, mtools, apt-get and dpkg-deb (memtest86+ is
 * fetched with {@code apt-get download} into {@code target/hw-setting}); with {@code CI=true} a missing one fails the
 * test, elsewhere it is skipped with a message.
 */
public class HwSettingIT {

    private static final String ADMIN_PASSWORD = "hw setting 2026";
    private static final String BIOS_MAC = "52:54:00:05:1f:01";
    private static final String UEFI_MAC = "52:54:00:05:1f:02";
    private static final Path MEMDISK = Path.of("/usr/lib/syslinux/memdisk");
    private static final Path BIOS_MODULES = Path.of("/usr/lib/syslinux/modules/bios");
    private static final String MEMTEST_PACKAGE = "memtest86+";

    private final List<Process> vms = new ArrayList<>();
    private Process server;

    @After
    public void stopEverything() {
        vms.forEach(Process::destroyForcibly);
        if (server != null) {
            Distribution.stop(server);
        }
    }

    @Test
    public void aFloppyBootsOnceThroughMemdiskAndAStalledEfiApplicationEndsAtTheTimeOut() throws Exception {
        if (!peers()) {
            return;
        }
        Path memtest = memtest();
        var unpacked = Distribution.unpack("hw-setting");
        Path home = unpacked.getKey();
        int httpPort = unpacked.getValue();
        Rest rest = new Rest(httpPort);
        Distribution.setKey(home.resolve("etc/org.opendpm.power.cfg"), "wakeOnLanAddress", "127.255.255.255");
        // QEMU's user network reaches the host at 10.0.2.2, an address of no interface of the server (NAT): network
        // boot's advertisedAddress says so, and the image URLs follow it with no HW setting configured.
        Files.writeString(home.resolve("etc/org.opendpm.netboot.http.cfg"), "advertisedAddress = 10.0.2.2\n");
        Files.createDirectories(home.resolve("data/tftp"));
        Files.copy(MEMDISK, home.resolve("data/tftp/memdisk"), StandardCopyOption.REPLACE_EXISTING);
        byte[] floppy = floppy(home.resolve("floppy-work"));

        server = Distribution.start(home, Map.of("OPENDPM_ADMIN_PASSWORD", ADMIN_PASSWORD));
        Distribution.awaitUp(rest, home);
        Rest.awaitMillis(60_000, () -> rest.get("plugins", "admin", ADMIN_PASSWORD).body().contains("hw-setting"),
                "the hw-setting scenario type installed");
        Rest.awaitMillis(30_000, () -> rest.get("hw-setting-images", "admin", ADMIN_PASSWORD).status() == 200,
                "the HW setting images served");

        // HWS-1: each bad upload is a 400 naming the field, and nothing is stored.
        byte[] tooBig = new byte[1_474_561];
        System.arraycopy(floppy, 0, tooBig, 0, floppy.length);
        assertRefused(rest, "hw-setting-images?kind=floppy&name=big", tooBig, "content");
        assertRefused(rest, "hw-setting-images?kind=floppy&name=ninechars", floppy, "name");
        assertRefused(rest, "hw-setting-images?kind=floppy&name=bad%2Bname", floppy, "name");
        assertRefused(rest, "hw-setting-images?kind=efi&name=notpe", floppy, "content");
        assertRefused(rest, "hw-setting-images?kind=tape&name=x", floppy, "kind");
        assertEquals(0, ok(rest.get("hw-setting-images", "admin", ADMIN_PASSWORD), 200).size());
        assertTrue("no file left by a refused upload", listFolder(home.resolve("data/images/hw-setting")).isEmpty());

        JsonNode bios = ok(rest.sendBytes("POST", "hw-setting-images?kind=floppy&name=bios21", floppy, "admin",
                ADMIN_PASSWORD), 201);
        assertEquals(floppy.length, bios.get("size").asLong());
        assertEquals(sha256(floppy), bios.get("sha256").asText());
        JsonNode efi = ok(rest.sendBytes("POST", "hw-setting-images?kind=efi&name=memtest", Files.readAllBytes(
                memtest), "admin", ADMIN_PASSWORD), 201);
        assertEquals("x64", efi.get("efiMachine").asText());
        assertEquals(409, rest.sendBytes("POST", "hw-setting-images?kind=floppy&name=BIOS21", floppy, "admin",
                ADMIN_PASSWORD).status());
        assertEquals("floppy", ok(rest.get("hw-setting-images/bios21", "admin", ADMIN_PASSWORD), 200).get("kind")
                .asText());

        // HWS-2 at a short time-out.
        assertEquals(200, rest.send("PATCH", "settings", "{\"scenarioTimeoutMinutes\": 1}", "admin",
                ADMIN_PASSWORD).status());
        long group = ok(rest.send("POST", "groups", "{\"path\":\"/Lab\"}", "admin", ADMIN_PASSWORD), 201).get("id")
                .asLong();
        long biosMachine = machine(rest, group, "bios01", BIOS_MAC);
        long uefiMachine = machine(rest, group, "uefi01", UEFI_MAC);
        long scenarioGroup = ok(rest.send("POST", "scenario-groups", "{\"path\":\"/Firmware\"}", "admin",
                ADMIN_PASSWORD), 201).get("id").asLong();
        Rest.Response unknownTab = rest.send("POST", "scenarios", scenario(scenarioGroup, "Bad", "a/b"), "admin",
                ADMIN_PASSWORD);
        assertEquals(unknownTab.body(), 400, unknownTab.status());
        long biosScenario = ok(rest.send("POST", "scenarios", scenario(scenarioGroup, "BIOS 2.1", "bios21"), "admin",
                ADMIN_PASSWORD), 201).get("id").asLong();
        long efiScenario = ok(rest.send("POST", "scenarios", scenario(scenarioGroup, "Memtest", "memtest"), "admin",
                ADMIN_PASSWORD), 201).get("id").asLong();

        long biosExecution = execute(rest, biosMachine, biosScenario);
        long efiExecution = execute(rest, uefiMachine, efiScenario);
        awaitIntent(rest, biosMachine, "MEMDISK_FLOPPY");
        awaitIntent(rest, uefiMachine, "EFI_APPLICATION");
        JsonNode intent = rest.get("machines/" + uefiMachine + "/boot-intent", "admin", ADMIN_PASSWORD).json();
        assertEquals(intent.toString(), "http://10.0.2.2:" + httpPort + "/opendpm/hw-setting/memtest.efi",
                intent.get("kernel").asText());

        Path log = home.resolve("data/log/karaf.log");
        Path biosConsole = home.resolve("bios-console.log");
        Path uefiConsole = home.resolve("uefi-console.log");
        long started = System.nanoTime();
        Process biosVm = vm(home, httpPort, BIOS_MAC, false, biosConsole);
        Process uefiVm = vm(home, httpPort, UEFI_MAC, true, uefiConsole);

        QemuMachines.awaitResult(rest, "admin", ADMIN_PASSWORD, biosMachine, biosExecution, "COMPLETED", biosVm,
                biosConsole, home, 55);
        System.err.printf("HwSettingIT: floppy booted and machine back %.0f s after power-on%n",
                (System.nanoTime() - started) / 1e9);
        String served = QemuMachines.read(log);
        assertTrue("the floppy served", served.contains("served HW setting image bios21 (1474560 bytes)"));
        assertTrue("syslinux ran from the floppy: " + QemuMachines.tail(biosConsole), QemuMachines.read(biosConsole)
                .contains("SYSLINUX 6"));
        String steps = stepLog(rest, biosExecution);
        assertTrue(steps, steps.contains("The machine came back: the machine network-booted again"));
        assertFalse("the one-shot boot is used", rest.get("machines/" + biosMachine + "/boot-intent", "admin",
                ADMIN_PASSWORD).json().path("intent").asText().equals("MEMDISK_FLOPPY"));

        Rest.awaitMillis(60_000, () -> QemuMachines.read(log).contains("served HW setting image memtest ("),
                "OVMF fetching the EFI application (" + log + ")");
        JsonNode failed = QemuMachines.awaitResult(rest, "admin", ADMIN_PASSWORD, uefiMachine, efiExecution,
                "TIMED_OUT", uefiVm, uefiConsole, home, 90);
        System.err.printf("HwSettingIT: EFI application execution ended %.0f s after power-on: %s%n",
                (System.nanoTime() - started) / 1e9, failed);
        assertTrue(failed.toString(), failed.toString().contains("Not finished within 1 minute; stopped at step 1 of"
                + " 1") && failed.toString().contains(
                        "the firmware update did not finish; the machine may still be"
                                + " updating: do not power it off"));
        assertTrue("memtest still running, never back", uefiVm.isAlive());
    }

    private static void assertRefused(Rest rest, String path, byte[] body, String field) {
        Rest.Response r = rest.sendBytes("POST", path, body, "admin", ADMIN_PASSWORD);
        assertEquals(path + ": " + r.body(), 400, r.status());
        assertEquals(r.body(), field, r.json().get("field").asText());
    }

    private static long machine(Rest rest, long group, String name, String mac) {
        return ok(rest.send("POST", "machines", "{\"groupId\":" + group + ",\"name\":\"" + name + "\",\"macs\":[\""
                + mac + "\"]}", "admin", ADMIN_PASSWORD), 201).get("id").asLong();
    }

    private static long execute(Rest rest, long machine, long scenario) {
        return ok(rest.send("POST", "executions", "{\"machineIds\":[" + machine + "],\"scenarioId\":" + scenario
                + "}", "admin", ADMIN_PASSWORD), 201).get(0).get("id").asLong();
    }

    private static void awaitIntent(Rest rest, long machine, String kind) {
        Rest.awaitMillis(60_000, () -> kind.equals(rest.get("machines/" + machine + "/boot-intent", "admin",
                ADMIN_PASSWORD).json().path("intent").asText()), kind + " set as the next boot of " + machine);
    }

    private static String stepLog(Rest rest, long execution) {
        return rest.get("executions/" + execution + "/log", "admin", ADMIN_PASSWORD).body();
    }

    private static String scenario(long group, String name, String image) {
        return "{\"name\":\"" + name + "\",\"groupId\":" + group + ",\"tabs\":{\"hw-setting\":{\"image\":\"" + image
                + "\"}}}";
    }

    /**
     * A machine that network-boots through iPXE and, unlike {@link QemuMachines}'s, reboots when its software asks
     * (the floppy's reboot.c32): coming back by network boot is what ends its execution.
     */
    private Process vm(Path home, int httpPort, String mac, boolean uefi, Path console) throws IOException {
        Path disk = QemuMachines.blank(home.resolve("disk-" + mac.replace(':', '-') + ".raw"), 64L << 20);
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg", "-m", "512", "-display",
                "none", "-monitor", "none", "-serial", "file:" + console, "-boot", "n", "-netdev", "user,id=n0,"
                        + "bootfile=" + QemuMachines.bootFile(httpPort),
                "-device", "e1000,netdev=n0,mac=" + mac,
                "-drive", "file=" + disk + ",if=virtio,format=raw"));
        if (uefi) {
            cmd.addAll(List.of("-bios", QemuMachines.OVMF.toString()));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(console.resolveSibling(console
                .getFileName() + ".qemu").toFile()).start();
        vms.add(p);
        return p;
    }

    /**
     * A 1.44 MB floppy made as an administrator makes one without root: mformat, {@code syslinux --install} (through
     * mtools), and a syslinux.cfg that says so on the serial line and runs reboot.c32.
     */
    private static byte[] floppy(Path work) throws Exception {
        Files.createDirectories(work);
        Path img = work.resolve("floppy.img");
        Files.deleteIfExists(img);
        Distribution.run(List.of("mformat", "-C", "-f", "1440", "-v", "HWS", "-i", img.toString(), "::"));
        Distribution.run(List.of("syslinux", "--install", img.toString()));
        Path cfg = work.resolve("syslinux.cfg");
        // SERIAL puts syslinux's banner on the serial line: the evidence that the floppy's own loader ran.
        Files.writeString(cfg, "SERIAL 0 115200\nPROMPT 0\nTIMEOUT 0\nDEFAULT reboot\nLABEL reboot\n"
                + "  COM32 reboot.c32\n");
        List<String> copy = new ArrayList<>(List.of("mcopy", "-o", "-i", img.toString(), cfg.toString()));
        for (String m : List.of("reboot.c32", "libcom32.c32", "libutil.c32")) {
            copy.add(BIOS_MODULES.resolve(m).toString());
        }
        copy.add("::");
        Distribution.run(copy);
        byte[] bytes = Files.readAllBytes(img);
        assertEquals(1_474_560, bytes.length);
        return bytes;
    }

    private static List<Path> listFolder(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.toList();
        }
    }

    private static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** True when every peer is here; CI=true fails without one. */
    private static boolean peers() {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("qemu-system-x86_64", "apt-get", "dpkg-deb", "mformat", "mcopy", "syslinux")) {
            if (QemuMachines.tool(tool) == null) {
                missing.add(tool);
            }
        }
        for (Path f : List.of(Path.of("/usr/lib/ipxe/qemu/pxe-e1000.rom"), QemuMachines.OVMF, MEMDISK, BIOS_MODULES
                .resolve("reboot.c32"))) {
            if (!Files.exists(f)) {
                missing.add(f.toString());
            }
        }
        if (missing.isEmpty()) {
            return true;
        }
        String message = "HwSettingIT needs " + missing + " (Debian: qemu-system-x86 ipxe-qemu ovmf syslinux"
                + " syslinux-common mtools)";
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        System.err.println("SKIPPED: " + message);
        return false;
    }

    /**
     * Debian's memtest86+ EFI binary, fetched with apt-get download (which checks it against the signed index) into
     * target/hw-setting once, unpacked with dpkg-deb.
     */
    private static Path memtest() throws Exception {
        Path cache = Files.createDirectories(Path.of("target", "hw-setting").toAbsolutePath());
        Path efi = cache.resolve("root/boot/memtest86+x64.efi");
        if (!Files.exists(efi)) {
            Path deb = deb(cache);
            if (deb == null) {
                List<String> download = new ArrayList<>(List.of("apt-get", "-q"));
                if ("root".equals(System.getProperty("user.name"))) {
                    download.addAll(List.of("-o", "APT::Sandbox::User=root"));
                }
                download.addAll(List.of("download", MEMTEST_PACKAGE));
                Process p = new ProcessBuilder(download).directory(cache.toFile()).inheritIO().start();
                if (p.waitFor() != 0) {
                    fail("apt-get download " + MEMTEST_PACKAGE + " failed (a Debian apt source and apt-get update"
                            + " are needed)");
                }
                deb = deb(cache);
            }
            Distribution.run(List.of("dpkg-deb", "-x", deb.toString(), cache.resolve("root").toString()));
        }
        if (!Files.exists(efi)) {
            fail(MEMTEST_PACKAGE + " has no " + efi.getFileName() + " in " + cache.resolve("root/boot"));
        }
        return efi;
    }

    private static Path deb(Path cache) throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(f -> f.getFileName().toString().startsWith("memtest86+_") && f.getFileName()
                    .toString().endsWith(".deb")).findFirst().orElse(null);
        }
    }
}
