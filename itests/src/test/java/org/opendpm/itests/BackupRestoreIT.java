package org.opendpm.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.opendpm.itests.QemuMachines.ok;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Test;
import org.opendpm.image.ChunkEntry;
import org.opendpm.image.ImageReader;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Backup and restore end to end in real firmware (IMG-1, IMG-2, IMG-5, IMG-6, EXE-10): the distribution, QEMU machines
 * (TCG, SeaBIOS, iPXE over HTTP) that network-boot into the Deploy-OS built by {@code deployos/}. Machine A's 256 MiB
 * disk (an MBR whose boot code writes a line to the serial port, an ext4 file system with known files) is backed up
 * through REST; machine B's blank disk is restored from the image, with its agent link cut once on the way; the two
 * disk files are then equal byte for byte and both machines boot their disk. Then the faults: a corrupted chunk is
 * named by verify and stops a restore before it is written; a machine that dies mid-backup leaves the old image and no
 * temporary file; a server killed mid-restore carries the restore out again after its restart, and with the machine gone
 * too the execution ends with a clear error.
 *
 * <p>Needs qemu-system-x86, ipxe-qemu, ovmf, fdisk, e2fsprogs and the Deploy-OS image; with {@code CI=true} a missing
 * one fails the test, elsewhere it is skipped with a message.
 */
public class BackupRestoreIT {

    private static final String PASSWORD = "backup restore 2026";
    private static final String MAC_A = "52:54:00:b4:c0:0a";
    private static final String MAC_B = "52:54:00:b4:c0:0b";
    private static final String MAC_C = "52:54:00:b4:c0:0c";
    private static final long DISK_BYTES = 256L << 20;
    private static final String DISK_SAYS = "OPENDPM MASTER DISK BOOTS";

    private final QemuMachines machines = new QemuMachines();
    private Process server;
    private Path home;
    private Rest rest;

    @After
    public void stopEverything() {
        machines.close();
        if (server != null) {
            Distribution.stop(server);
        }
    }

    @Test
    public void aDiskIsBackedUpAndRestoredByteForByteAndTheFaultsEndCleanly() throws Exception {
        Path image = QemuMachines.deployOsImage();
        if (!QemuMachines.requirePeers("BackupRestoreIT", image, List.of("sfdisk", "mkfs.ext4"))) {
            return;
        }
        var unpacked = Distribution.unpack("backup-restore");
        home = unpacked.getKey();
        rest = new Rest(unpacked.getValue());
        QemuMachines.prepare(home, image);
        // A lost link is waited for this long before the transfer fails (the short break below takes a second).
        Files.writeString(home.resolve("etc/org.opendpm.images.cfg"), "resumeSeconds = 15\n");
        Path images = Files.createDirectories(home.resolve("images"));
        Path diskA = masterDisk(home.resolve("a.raw"));
        Path diskB = QemuMachines.blank(home.resolve("b.raw"), DISK_BYTES);
        Path diskC = QemuMachines.blank(home.resolve("c.raw"), DISK_BYTES);
        String bootFile = QemuMachines.bootFile(unpacked.getValue());

        server = Distribution.start(home, Map.of("OPENDPM_ADMIN_PASSWORD", PASSWORD));
        Distribution.awaitUp(rest, home);
        Rest.awaitMillis(60_000, () -> get("plugins").toString().contains("backup-restore"),
                "the Backup/Restore scenario type installed");
        ok(send("PATCH", "settings", "{\"defaultDeployOs\":\"opendpm-amd64\",\"imageFolder\":\"" + images + "\"}"),
                200);
        long group = ok(send("POST", "groups", "{\"path\":\"/Lab\"}"), 201).get("id").asLong();
        long a = machine(group, "vmA", MAC_A);
        long b = machine(group, "vmB", MAC_B);
        long c = machine(group, "vmC", MAC_C);
        long scenarios = ok(send("POST", "scenario-groups", "{\"path\":\"/Images\"}"), 201).get("id").asLong();
        long backup = scenario(scenarios, "Backup master", "{\"operation\":\"backup\",\"imageName\":\"master.img\","
                + "\"disk\":1,\"partitions\":[],\"createVerificationData\":true,\"appendToImageName\":\"none\","
                + "\"transfer\":\"unicast\"}");
        long restore = scenario(scenarios, "Restore master", "{\"operation\":\"restore\",\"imageName\":\"master.img\","
                + "\"disk\":1,\"compareAfterRestore\":true,\"transfer\":\"unicast\"}");
        long restoreCorrupt = scenario(scenarios, "Restore corrupt", "{\"operation\":\"restore\",\"imageName\":"
                + "\"corrupt.img\",\"disk\":1,\"compareAfterRestore\":false,\"transfer\":\"unicast\"}");

        // EXE-10: one backup scenario writing one image name, on two machines at once, is refused naming it.
        Rest.Response twice = send("POST", "executions", "{\"machineIds\":[" + a + "," + b + "],\"scenarioId\":"
                + backup + "}");
        assertEquals(twice.body(), 409, twice.status());
        assertTrue(twice.body(), twice.body().contains("Backup master") && twice.body().contains("master.img"));

        // Backup of A, its progress seen in bytes on the way (IMG-6).
        long backupRun = execute(backup, a);
        Process vmA = boot(a, MAC_A, bootFile, diskA, "a-backup");
        long[] seen = awaitBytes(backupRun, 1, true);
        assertTrue("bytes, per cent and rate seen before the end: " + seen[0] + " of " + seen[1],
                seen[0] > 0 && seen[1] == DISK_BYTES && seen[2] == 1);
        JsonNode done = QemuMachines.awaitResult(rest, "admin", PASSWORD, a, backupRun, "COMPLETED", vmA,
                console("a-backup"), home, 420);
        assertTrue(vmA.waitFor(120, TimeUnit.SECONDS));
        JsonNode described = ok(rest.get("images/master.img", "admin", PASSWORD), 200);
        assertEquals(described.toString(), "vmA", described.get("source").get("name").asText());
        assertEquals(described.toString(), DISK_BYTES, described.get("disks").get(0).get("sizeBytes").asLong());
        JsonNode verified = ok(send("POST", "images/master.img/verify", ""), 200);
        assertTrue(verified.toString(), verified.get("ok").asBoolean());
        assertEquals(verified.toString(), 0, verified.get("badChunks").size());
        // The result keeps the final figures (IMG-6).
        String message = get("executions/" + backupRun).path("message").asText();
        assertTrue(message, message.contains("256.0 MiB") && message.contains("on average"));

        // Restore onto B's blank disk; its agent link is cut once mid-transfer and the restore resumes.
        long restoreRun = execute(restore, b);
        Process vmB = boot(b, MAC_B, bootFile, diskB, "b-restore");
        awaitBytes(restoreRun);
        assertEquals(204, send("DELETE", "agents/connections/" + b, "").status());
        QemuMachines.awaitResult(rest, "admin", PASSWORD, b, restoreRun, "COMPLETED", vmB, console("b-restore"), home,
                420);
        assertTrue(vmB.waitFor(120, TimeUnit.SECONDS));
        String restoreLog = get("executions/" + restoreRun + "/log").toString();
        assertTrue(restoreLog, restoreLog.contains("the restore goes on from chunk"));
        assertArrayEquals("B's disk equals A's byte for byte", sha256(diskA), sha256(diskB));

        // Both machines boot their disk now: the MBR's boot code writes its line.
        for (var m : List.of(Map.entry(diskA, MAC_A), Map.entry(diskB, MAC_B))) {
            Path console = home.resolve("disk-boot-" + m.getValue().replace(':', '-') + ".log");
            Process vm = machines.netboot(m.getValue(), bootFile, m.getKey(), false, console);
            Rest.awaitMillis(180_000, () -> QemuMachines.read(console).contains(DISK_SAYS),
                    "machine " + m.getValue() + " booting its disk (" + console + ")");
            vm.destroyForcibly();
            vm.waitFor();
        }

        // A manifest naming a chunk the store lacks: verify names it and its disk offset; a restore stops before
        // writing it. (A manifest's chunks are shared: damaging one in the store would damage master.img too.)
        Path corrupt = images.resolve("corrupt.img");
        Files.copy(images.resolve("master.img"), corrupt);
        ChunkEntry bad = corruptFirstStoredChunk(corrupt);
        JsonNode report = ok(send("POST", "images/corrupt.img/verify", ""), 200);
        assertEquals(report.toString(), 1, report.get("badChunks").size());
        assertEquals(report.toString(), bad.number(), report.get("badChunks").get(0).get("number").asLong());
        assertEquals(report.toString(), bad.diskOffset(), report.get("badChunks").get(0).get("diskOffset").asLong());
        long corruptRun = execute(restoreCorrupt, c);
        Process vmC = boot(c, MAC_C, bootFile, diskC, "c-restore");
        JsonNode failed = QemuMachines.awaitResult(rest, "admin", PASSWORD, c, corruptRun, "FAILED", vmC,
                console("c-restore"), home, 420);
        assertTrue(failed.toString(), failed.toString().contains("chunk " + bad.number()));
        vmC.destroyForcibly();
        vmC.waitFor();
        assertTrue("nothing of the bad chunk written", isZero(diskC, bad.diskOffset(), bad.length()));

        // A machine that dies mid-backup: the old image stays as it was and no temporary file is left.
        byte[] before = sha256(images.resolve("master.img"));
        long dying = execute(backup, a);
        Process vmDying = boot(a, MAC_A, bootFile, diskA, "a-dies");
        awaitBytes(dying);
        vmDying.destroyForcibly();
        JsonNode lost = QemuMachines.awaitResult(rest, "admin", PASSWORD, a, dying, "FAILED", null,
                console("a-dies"), home, 240);
        assertTrue(lost.toString(), lost.toString().contains("lost"));
        assertArrayEquals(before, sha256(images.resolve("master.img")));
        try (Stream<Path> left = Files.list(images)) {
            assertEquals(List.of(".chunks", "corrupt.img", "master.img"),
                    left.map(p -> p.getFileName().toString()).sorted().toList());
        }
        try (Stream<Path> left = Files.walk(images)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".partial"))
                    .toList());
        }
        ok(send("POST", "machines/" + a + "/remove-error", ""), 200);

        // The server killed mid-restore: after its restart the execution ends with a clear error, nothing stuck.
        long interrupted = execute(restore, b);
        Process vmInterrupted = boot(b, MAC_B, bootFile, diskB, "b-interrupted");
        awaitBytes(interrupted);
        Distribution.kill(server);
        vmInterrupted.destroyForcibly();
        server = Distribution.start(home, Map.of());
        Distribution.awaitUp(rest, home);
        JsonNode ended = QemuMachines.awaitResult(rest, "admin", PASSWORD, b, interrupted, "FAILED", null,
                console("b-interrupted"), home, 120);
        assertTrue(get("executions/" + interrupted + "/log").toString().contains("Resumed after the server restarted"));
        // The restore step is carried out again after the restart; the machine is gone, so its Deploy-OS never comes back.
        assertTrue(ended.toString(), ended.toString().contains("its agent did not connect within 15 s"));
        assertFalse(get("machines/" + b).toString().contains("Scenario Executing"));
    }

    /**
     * A 256 MiB disk with an MBR whose boot code writes {@link #DISK_SAYS} to COM1 and one partition at 1 MiB holding
     * ext4 with known files: text that compresses and 24 MiB of random bytes that do not.
     */
    private static Path masterDisk(Path disk) throws Exception {
        QemuMachines.partitioned(disk, DISK_BYTES, "label: dos\nstart=2048, size=262144, type=83\n");
        Path files = Files.createDirectories(disk.resolveSibling("master-files"));
        Files.writeString(files.resolve("hello.txt"), "OpenDPM master image\n");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 200_000; i++) {
            text.append("line ").append(i).append(" of a file that compresses well\n");
        }
        Files.writeString(files.resolve("text.txt"), text);
        byte[] random = new byte[24 << 20];
        new Random(20261207).nextBytes(random);
        Files.write(files.resolve("random.bin"), random);
        Distribution.run(List.of(QemuMachines.tool("mkfs.ext4"), "-q", "-F", "-d", files.toString(), "-E",
                "offset=" + (1L << 20), disk.toString(), "131072"));
        byte[] code = { 0x31, (byte) 0xC0, // xor ax,ax
                (byte) 0x8E, (byte) 0xD8, // mov ds,ax
                (byte) 0xBA, (byte) 0xF8, 0x03, // mov dx,0x3f8
                (byte) 0xBE, 0x16, 0x7C, // mov si,0x7c16 (the text, after this code)
                (byte) 0xAC, // lodsb
                (byte) 0x84, (byte) 0xC0, // test al,al
                0x74, 0x03, // jz +3
                (byte) 0xEE, // out dx,al
                (byte) 0xEB, (byte) 0xF8, // jmp lodsb
                (byte) 0xFA, // cli
                (byte) 0xF4, // hlt
                (byte) 0xEB, (byte) 0xFD }; // jmp hlt
        byte[] line = (DISK_SAYS + "\r\n").getBytes(StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(code), 0);
            ch.write(ByteBuffer.wrap(line), code.length);
        }
        return disk;
    }

    /**
     * Makes the manifest {@code image} name a chunk the store does not have: the first chunk with stored bytes gets
     * another CRC-32C in its index entry (so another name in the store), index and trailer resealed; returns that
     * chunk's entry.
     */
    private static ChunkEntry corruptFirstStoredChunk(Path image) throws IOException {
        ChunkEntry target = null;
        try (ImageReader reader = ImageReader.open(image)) {
            assertTrue("the backup is a manifest", reader.manifest());
            for (long n = 0; n < reader.chunkCount() && target == null; n++) {
                ChunkEntry e = reader.entry(n);
                if (!e.hole() && e.diskOffset() > 0) {
                    target = e;
                }
            }
        }
        assertTrue("the image has a stored chunk", target != null);
        byte[] b = Files.readAllBytes(image);
        ByteBuffer buf = ByteBuffer.wrap(b);
        int trailer = b.length - 48;
        int index = (int) buf.getLong(trailer);
        int crcAt = index + (int) target.number() * 72 + 36;
        buf.putInt(crcAt, buf.getInt(crcAt) ^ 0x5A);
        CRC32C crc = new CRC32C();
        crc.update(b, index, trailer - index);
        buf.putInt(trailer + 32, (int) crc.getValue());
        crc.reset();
        crc.update(b, trailer, 36);
        buf.putInt(trailer + 36, (int) crc.getValue());
        Files.write(image, b);
        return target;
    }

    /**
     * Waits until the execution list shows the machine's step at {@code atLeast} bytes (IMG-6); returns the most seen
     * before it ended, the total it gave, and whether a rate was shown.
     */
    private long[] awaitBytes(long execution, long atLeast, boolean withRate) {
        long[] seen = { 0, -1, 0 };
        Rest.awaitMillis(300_000, () -> {
            JsonNode e = get("executions/" + execution);
            JsonNode p = e.path("stepProgress");
            if ("bytes".equals(p.path("unit").asText()) && p.path("done").asLong() >= atLeast) {
                seen[0] = Math.max(seen[0], p.path("done").asLong());
                seen[1] = p.path("total").asLong();
                seen[2] = p.hasNonNull("rate") && p.hasNonNull("percent") ? 1 : seen[2];
                return !withRate || seen[2] == 1;
            }
            return e.path("finished").asBoolean();
        }, "execution " + execution + " reporting bytes");
        return seen;
    }

    private long[] awaitBytes(long execution) {
        return awaitBytes(execution, 1, false);
    }

    private Process boot(long machine, String mac, String bootFile, Path disk, String name) throws IOException {
        Rest.awaitMillis(60_000, () -> "DEPLOY_OS".equals(get("machines/" + machine + "/boot-intent").path("intent")
                .asText()), "the Deploy-OS set as the next boot of machine " + machine);
        return machines.netboot(mac, bootFile, disk, false, console(name));
    }

    private Path console(String name) {
        return home.resolve(name + "-console.log");
    }

    private long execute(long scenario, long machine) {
        return ok(send("POST", "executions", "{\"machineIds\":[" + machine + "],\"scenarioId\":" + scenario + "}"),
                201).get(0).get("id").asLong();
    }

    private long machine(long group, String name, String mac) {
        return ok(send("POST", "machines", "{\"groupId\":" + group + ",\"name\":\"" + name + "\",\"macs\":[\"" + mac
                + "\"]}"), 201).get("id").asLong();
    }

    private long scenario(long group, String name, String tab) {
        return ok(send("POST", "scenarios", "{\"name\":\"" + name + "\",\"groupId\":" + group
                + ",\"tabs\":{\"backup-restore\":" + tab + "}}"), 201).get("id").asLong();
    }

    private Rest.Response send(String method, String path, String body) {
        return rest.send(method, path, body, "admin", PASSWORD);
    }

    private JsonNode get(String path) {
        return rest.get(path, "admin", PASSWORD).json();
    }

    private static byte[] sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0;) {
                sha.update(buffer, 0, n);
            }
        }
        return sha.digest();
    }

    private static boolean isZero(Path disk, long offset, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(length);
            while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
                // read on
            }
            for (int i = 0; i < b.position(); i++) {
                if (b.get(i) != 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
