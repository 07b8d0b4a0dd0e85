package org.opendpm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.opendpm.itests.QemuMachines.ok;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The disk check end to end in real firmware (IMG-4, EXE-1): the distribution as an administrator runs it, a QEMU
 * machine (TCG) registered by its MAC with a 256 MiB disk the test partitioned, a Disk Check executed through REST.
 * The machine network-boots through Debian's iPXE ROM over HTTP into the Deploy-OS built by {@code deployos/}, whose
 * agent proves itself with the one-time token on its kernel command line; the disks appear through REST as made, the
 * execution completes and the next boot is the local disk. A Deploy-OS with a wrong token is refused and logged.
 *
 * <p>Needs qemu-system-x86, ipxe-qemu, fdisk and e2fsprogs and the Deploy-OS image; with {@code CI=true} a missing
 * one fails the test, elsewhere it is skipped with a message.
 */
public class DiskCheckIT {

    private static final String ADMIN_PASSWORD = "disk check 2026";
    private static final String MAC = "52:54:00:d1:5c:01";
    private static final String MAC2 = "52:54:00:d1:5c:02";
    private static final long DISK_BYTES = 256L << 20;
    private static final String LINUX_FS = "0fc63daf-8483-4772-8e79-3d69d8477de4";
    private static final String ESP = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b";

    private final QemuMachines machines = new QemuMachines();
    private Process server;

    @After
    public void stopEverything() {
        machines.close();
        if (server != null) {
            Distribution.stop(server);
        }
    }

    @Test
    public void aMachineBootsIntoTheDeployOsThroughIpxeAndItsDisksAppearThroughRest() throws Exception {
        Path image = QemuMachines.deployOsImage();
        if (!QemuMachines.requirePeers("DiskCheckIT", image, List.of("sfdisk", "mkfs.ext4"))) {
            return;
        }
        var unpacked = Distribution.unpack("disk-check");
        Path home = unpacked.getKey();
        Rest rest = new Rest(unpacked.getValue());
        Path installed = QemuMachines.prepare(home, image);
        // GPT: ext4 at 1 MiB and an empty ESP of 32 MiB after it.
        Path disk = disk(home.resolve("disk.raw"), "label: gpt\nstart=2048, size=131072, type=" + LINUX_FS
                + "\nstart=133120, size=65536, type=" + ESP + "\n");

        server = Distribution.start(home, Map.of("OPENDPM_ADMIN_PASSWORD", ADMIN_PASSWORD));
        Distribution.awaitUp(rest, home);
        Rest.awaitMillis(60_000, () -> rest.get("plugins", "admin", ADMIN_PASSWORD).body().contains("disk-check"),
                "the Disk Check scenario type installed");
        ok(rest.send("PATCH", "settings", "{\"defaultDeployOs\":\"opendpm-amd64\"}", "admin", ADMIN_PASSWORD), 200);
        long group = ok(rest.send("POST", "groups", "{\"path\":\"/Lab\"}", "admin", ADMIN_PASSWORD), 201).get("id")
                .asLong();
        long machine = ok(rest.send("POST", "machines", "{\"groupId\":" + group + ",\"name\":\"vm1\",\"macs\":[\""
                + MAC + "\"]}", "admin", ADMIN_PASSWORD), 201).get("id").asLong();
        long scenarioGroup = ok(rest.send("POST", "scenario-groups", "{\"path\":\"/Checks\"}", "admin",
                ADMIN_PASSWORD), 201).get("id").asLong();
        long scenario = ok(rest.send("POST", "scenarios", "{\"name\":\"Disks\",\"groupId\":" + scenarioGroup
                + ",\"tabs\":{\"disk-check\":{}}}", "admin", ADMIN_PASSWORD), 201).get("id").asLong();

        String bootFile = QemuMachines.bootFile(unpacked.getValue());

        // BIOS firmware (SeaBIOS, iPXE ROM), a GPT disk.
        JsonNode bios = checkDisks(rest, home, scenario, machine, MAC, bootFile, disk, false);
        assertEquals(bios.toString(), "gpt", bios.get("partitionTable").asText());
        JsonNode parts = bios.get("partitions");
        assertEquals(parts.toString(), 2, parts.size());
        assertPartition(parts.get(0), 1, 1L << 20, 64L << 20, LINUX_FS, "ext4");
        assertPartition(parts.get(1), 2, 65L << 20, 32L << 20, ESP, "");

        // UEFI firmware (OVMF, iPXE's EFI driver), an MBR disk.
        long machine2 = ok(rest.send("POST", "machines", "{\"groupId\":" + group + ",\"name\":\"vm2\",\"macs\":[\""
                + MAC2 + "\"]}", "admin", ADMIN_PASSWORD), 201).get("id").asLong();
        Path mbrDisk = disk(home.resolve("disk2.raw"), "label: dos\nstart=2048, size=131072, type=83\n");
        JsonNode uefi = checkDisks(rest, home, scenario, machine2, MAC2, bootFile, mbrDisk, true);
        assertEquals(uefi.toString(), "mbr", uefi.get("partitionTable").asText());
        assertEquals(uefi.get("partitions").toString(), 1, uefi.get("partitions").size());
        assertPartition(uefi.get("partitions").get(0), 1, 1L << 20, 64L << 20, "83", "ext4");

        // A Deploy-OS that comes with a token the server did not issue gets nowhere, and the server says so.
        String port = Distribution.key(home.resolve("etc/org.opendpm.transfer.cfg"), "port");
        String fingerprint = ok(rest.get("agent-link", "admin", ADMIN_PASSWORD), 200).get("certificateFingerprint")
                .asText();
        String forged = "A".repeat(43);
        machines.qemu(List.of("-kernel", installed.resolve("vmlinuz").toString(), "-initrd",
                installed.resolve("initrd.img").toString(), "-append", "console=ttyS0 quiet opendpm.server=10.0.2.2:"
                        + port + " opendpm.fingerprint=" + fingerprint + " opendpm.mac=" + MAC + " opendpm.token="
                        + forged,
                "-netdev", "user,id=n0", "-device", "e1000,netdev=n0,mac=" + MAC), home.resolve("forged-console.log"));
        Path log = home.resolve("data/log/karaf.log");
        Rest.awaitMillis(240_000, () -> QemuMachines.read(log).contains("refused Deploy-OS hello for MAC " + MAC),
                "the forged token refused in " + log);
        assertTrue(QemuMachines.read(log), QemuMachines.read(log).contains("wrong or used token"));
        assertTrue(rest.get("agents", "admin", ADMIN_PASSWORD).json().findValues("machineId").isEmpty());
        assertTrue(QemuMachines.read(log).indexOf(forged) < 0);
    }

    /**
     * Executes the Disk Check on the machine and powers it on (the test is the hand on the power button, once the
     * Deploy-OS is its next boot: the engine's Wake-on-LAN goes to loopback); returns its one disk as REST shows it
     * after the execution completed, having checked the next boot and that the Deploy-OS rebooted.
     */
    private JsonNode checkDisks(Rest rest, Path home, long scenario, long machine, String mac, String bootFile,
            Path disk, boolean uefi) throws Exception {
        long execution = ok(rest.send("POST", "executions", "{\"machineIds\":[" + machine + "],\"scenarioId\":"
                + scenario + "}", "admin", ADMIN_PASSWORD), 201).get(0).get("id").asLong();
        Rest.awaitMillis(60_000, () -> "DEPLOY_OS".equals(rest.get("machines/" + machine + "/boot-intent", "admin",
                ADMIN_PASSWORD).json().get("intent").asText()), "the Deploy-OS set as the next boot");
        Path console = home.resolve("machine" + machine + "-console.log");
        Process vm = machines.netboot(mac, bootFile, disk, uefi, console);
        QemuMachines.awaitResult(rest, "admin", ADMIN_PASSWORD, machine, execution, "COMPLETED", vm, console, home,
                420);
        JsonNode disks = ok(rest.get("machines/" + machine + "/disks", "admin", ADMIN_PASSWORD), 200);
        assertTrue(disks.toString(), disks.hasNonNull("scannedAt"));
        assertEquals(disks.toString(), 1, disks.get("disks").size());
        JsonNode d = disks.get("disks").get(0);
        assertEquals(d.toString(), 1, d.get("number").asInt());
        assertEquals(d.toString(), "vda", d.get("device").asText());
        assertEquals(d.toString(), DISK_BYTES, d.get("sizeBytes").asLong());
        JsonNode next = rest.get("machines/" + machine + "/boot-intent", "admin", ADMIN_PASSWORD).json();
        assertEquals(next.toString(), "LOCAL_DISK", next.get("intent").asText());
        assertTrue("the Deploy-OS reboots into the disk once done (QEMU -no-reboot exits)",
                vm.waitFor(120, TimeUnit.SECONDS));
        return d;
    }

    private static void assertPartition(JsonNode p, int number, long start, long size, String type, String fs) {
        assertEquals(p.toString(), number, p.get("number").asInt());
        assertEquals(p.toString(), start, p.get("startBytes").asLong());
        assertEquals(p.toString(), size, p.get("sizeBytes").asLong());
        assertEquals(p.toString(), type, p.get("type").asText());
        assertEquals(p.toString(), fs, p.get("filesystem").asText());
    }

    /** A 256 MiB disk image partitioned by sfdisk's script, with ext4 in a 64 MiB partition at 1 MiB. */
    private static Path disk(Path image, String sfdiskScript) throws Exception {
        QemuMachines.partitioned(image, DISK_BYTES, sfdiskScript);
        Distribution
                .run(List.of(QemuMachines.tool("mkfs.ext4"), "-q", "-F", "-E", "offset=" + (1L << 20), image.toString(),
                        "65536"));
        return image;
    }

}
