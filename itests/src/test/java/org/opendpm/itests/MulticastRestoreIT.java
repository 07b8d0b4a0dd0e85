package org.opendpm.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.opendpm.itests.QemuMachines.ok;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Test;
import org.opendpm.image.ImageHeader;
import org.opendpm.image.ImageWriter;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Multicast restore end to end in real firmware (IMG-3, IMG-6): two QEMU machines (TCG, SeaBIOS, iPXE) on a bridge in
 * a network namespace of the test's own network-boot the Deploy-OS from the distribution, which runs in that namespace
 * too and sends one image to both at once by multicast on the bridge; both disks then equal the source byte for byte.
 * The namespace holds the whole segment: the bridge (snooping off, as a plain switch floods multicast) with the
 * server's address, the machines' tap devices, and dnsmasq as the network's DHCP server (addresses, and iPXE's boot
 * file: the server's chain script). The test reaches the server's REST API with curl run inside the namespace.
 *
 * <p>Needs root (ip netns), qemu-system-x86, ipxe-qemu, ovmf, dnsmasq, curl, fdisk and the Deploy-OS image; with
 * {@code CI=true} a missing one fails the test, elsewhere it is skipped with a message.
 */
public class MulticastRestoreIT {

    private static final String PASSWORD = "multicast restore 2026";
    private static final String MAC_A = "52:54:00:3c:a5:0a";
    private static final String MAC_B = "52:54:00:3c:a5:0b";
    private static final String SERVER = "10.231.7.1";
    private static final long DISK_BYTES = 64L << 20;

    private final QemuMachines machines = new QemuMachines();
    private NetworkNamespace ns;
    private Process server;
    private Path home;
    private Rest rest;

    @After
    public void stopEverything() {
        machines.close();
        if (server != null) {
            Distribution.stop(server);
        }
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    public void twoMachinesRestoreOneImageByMulticastAtOnceByteForByte() throws Exception {
        long began = System.nanoTime();
        Path deployOs = QemuMachines.deployOsImage();
        if (!QemuMachines.requirePeers("MulticastRestoreIT", deployOs, List.of("sfdisk", "dnsmasq", "curl", "ip"))) {
            return;
        }
        if (!NetworkNamespace.available()) {
            String message = "MulticastRestoreIT needs network namespaces (root and a working `ip netns`)";
            if ("true".equals(System.getenv("CI"))) {
                fail(message);
            }
            System.err.println("SKIPPED: " + message);
            return;
        }
        var unpacked = Distribution.unpack("multicast-restore");
        home = unpacked.getKey();
        int http = unpacked.getValue();
        QemuMachines.prepare(home, deployOs);
        // The server serves the segment in the namespace: HTTP boot, the agent link and the multicast sender on the
        // bridge (the namespace's loopback and the bridge are all it has).
        Distribution.setKey(home.resolve("etc/org.ops4j.pax.web.cfg"), "org.ops4j.pax.web.listening.addresses",
                "0.0.0.0");
        Files.writeString(home.resolve("etc/org.opendpm.netboot.http.cfg"), "advertisedAddress = " + SERVER + "\n");
        Path transferCfg = home.resolve("etc/org.opendpm.transfer.cfg");
        Distribution.setKey(transferCfg, "address", "0.0.0.0");
        Distribution.setKey(transferCfg, "multicastInterface", NetworkNamespace.BRIDGE);
        Path images = Files.createDirectories(home.resolve("images"));
        Path source = sourceDisk(home.resolve("source.raw"));
        writeImage(source, images.resolve("multicast.img"));
        Path diskA = QemuMachines.blank(home.resolve("a.raw"), DISK_BYTES);
        Path diskB = junkDisk(home.resolve("b.raw"));

        ns = NetworkNamespace.create("odm-mc", SERVER + "/24", List.of("tapa", "tapb"));
        rest = new Rest(ns.name(), http);
        ns.start(List.of(QemuMachines.tool("dnsmasq"), "--no-daemon", "--conf-file=/dev/null", "--port=0",
                "--interface=" + NetworkNamespace.BRIDGE, "--bind-interfaces", "--log-dhcp",
                "--dhcp-leasefile=" + home.resolve("dnsmasq.leases"),
                "--dhcp-range=10.231.7.100,10.231.7.199,255.255.255.0,1h",
                // No router, as on an isolated deployment segment, and the namespace has no default route either:
                // both ends must send to the group on their interface by choice, not by a route.
                "--dhcp-option=option:router",
                "--dhcp-boot=" + QemuMachines.bootFile(http).replace("10.0.2.2", SERVER)), home.resolve("dnsmasq.log"));
        server = Distribution.start(home, Map.of("OPENDPM_ADMIN_PASSWORD", PASSWORD),
                List.of("ip", "netns", "exec", ns.name()));
        Distribution.awaitUp(rest, home);
        Rest.awaitMillis(60_000, () -> get("plugins").toString().contains("backup-restore"),
                "the Backup/Restore scenario type installed");
        // Multicast needs the network's DHCP server (NET-4): dnsmasq is it.
        ok(send("PATCH", "settings", "{\"defaultDeployOs\":\"opendpm-amd64\",\"imageFolder\":\"" + images
                + "\",\"useDhcpServer\":true}"), 200);
        long group = ok(send("POST", "groups", "{\"path\":\"/Lab\"}"), 201).get("id").asLong();
        long a = machine(group, "vmA", MAC_A);
        long b = machine(group, "vmB", MAC_B);
        long scenarios = ok(send("POST", "scenario-groups", "{\"path\":\"/Images\"}"), 201).get("id").asLong();
        long restore = ok(send("POST", "scenarios", "{\"name\":\"Restore by multicast\",\"groupId\":" + scenarios
                + ",\"tabs\":{\"backup-restore\":{\"operation\":\"restore\",\"imageName\":\"multicast.img\","
                + "\"disk\":1,\"compareAfterRestore\":true,\"transfer\":\"multicast\",\"maximumTargets\":2}}}"), 201)
                .get("id").asLong();

        JsonNode started = ok(send("POST", "executions", "{\"machineIds\":[" + a + "," + b + "],\"scenarioId\":"
                + restore + "}"), 201);
        long runA = execution(started, a);
        long runB = execution(started, b);
        Process vmA = boot(a, MAC_A, "tapa", diskA, "a");
        Process vmB = boot(b, MAC_B, "tapb", diskB, "b");

        // The session forms with both machines (Maximum Targets 2 starts it), runs with a rate, and the execution
        // list shows each machine's bytes on the way (IMG-6).
        long[] seen = new long[3]; // members seen together while running, highest rate, bytes seen mid-way
        Rest.awaitMillis(300_000, () -> {
            JsonNode s = session();
            if (s != null && "RUNNING".equals(s.path("state").asText())) {
                seen[0] = Math.max(seen[0], s.path("members").size());
                seen[1] = Math.max(seen[1], s.path("rateBytesPerSecond").asLong());
            }
            for (long run : List.of(runA, runB)) {
                JsonNode p = get("executions/" + run).path("stepProgress");
                if ("bytes".equals(p.path("unit").asText()) && p.path("done").asLong() > 0
                        && p.path("done").asLong() < p.path("total").asLong()) {
                    seen[2] = Math.max(seen[2], p.path("done").asLong());
                }
            }
            return s != null && !List.of("WAITING", "RUNNING").contains(s.path("state").asText())
                    || !vmA.isAlive() && !vmB.isAlive();
        }, "the multicast session to end; see " + home.resolve("data/log/karaf.log"));
        QemuMachines.awaitResult(rest, "admin", PASSWORD, a, runA, "COMPLETED", vmA, console("a"), home, 120);
        QemuMachines.awaitResult(rest, "admin", PASSWORD, b, runB, "COMPLETED", vmB, console("b"), home, 120);
        JsonNode session = session();
        assertEquals(session.toString(), "DONE", session.path("state").asText());
        assertTrue(session.toString(), session.path("message").asText().contains("2 of 2"));
        assertEquals(session.toString(), 2, session.path("members").size());
        for (JsonNode m : session.path("members")) {
            assertEquals(session.toString(), "DONE", m.path("state").asText());
            assertEquals(session.toString(), DISK_BYTES, m.path("confirmedBytes").asLong());
        }
        assertEquals("both machines in the running session at once", 2, seen[0]);
        assertTrue("a rate shown while it ran", seen[1] > 0);
        assertTrue("progress in bytes seen mid-way", seen[2] > 0);

        // The plan boots the disks after the restore; the machines exit instead of rebooting.
        for (Process vm : List.of(vmA, vmB)) {
            if (!vm.waitFor(60, TimeUnit.SECONDS)) {
                vm.destroyForcibly();
                vm.waitFor();
            }
        }
        byte[] expected = sha256(source);
        assertArrayEquals("A's disk equals the source byte for byte", expected, sha256(diskA));
        assertArrayEquals("B's disk (junk before) equals the source byte for byte", expected, sha256(diskB));
        System.out.println("MulticastRestoreIT: " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began)
                + " s wall, sender rate up to " + seen[1] + " B/s");
    }

    /**
     * The 64 MiB source: an MBR with one partition, 20 MiB of random bytes from 1 MiB on (chunks that do not compress),
     * 2 MiB of text at 32 MiB (chunks that do), zeros elsewhere (holes in the image).
     */
    private static Path sourceDisk(Path disk) throws Exception {
        QemuMachines.partitioned(disk, DISK_BYTES, "label: dos\nstart=2048, size=100000, type=83\n");
        byte[] random = new byte[20 << 20];
        new Random(20261207).nextBytes(random);
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < (2 << 20); i++) {
            text.append("line ").append(i).append(" of a multicast restore\n");
        }
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(random), 1L << 20);
            ch.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII)), 32L << 20);
        }
        return disk;
    }

    private static void writeImage(Path disk, Path image) throws Exception {
        try (FileChannel in = FileChannel.open(disk, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                ImageWriter w = ImageWriter.create(out, ImageHeader.wholeDisk(DISK_BYTES,
                        ImageHeader.DEFAULT_CHUNK_SIZE), ImageWriter.Options.DEFAULT)) {
            w.transferFrom(in);
            w.finish();
        }
    }

    /** A disk full of a non-zero pattern, so the holes of the image must be written, not assumed. */
    private static Path junkDisk(Path disk) throws Exception {
        byte[] junk = new byte[1 << 20];
        Arrays.fill(junk, (byte) 0x5A);
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long at = 0; at < DISK_BYTES; at += junk.length) {
                ch.write(ByteBuffer.wrap(junk), at);
            }
        }
        return disk;
    }

    /** The session of the scenario's image, null before it forms. */
    private JsonNode session() {
        List<JsonNode> found = new ArrayList<>();
        get("multicast-sessions").forEach(s -> {
            if ("multicast.img".equals(s.path("imageName").asText())) {
                found.add(s);
            }
        });
        assertTrue(found.toString(), found.size() <= 1);
        return found.isEmpty() ? null : found.get(0);
    }

    private static long execution(JsonNode started, long machine) {
        for (JsonNode e : started) {
            if (e.path("machineId").asLong() == machine) {
                return e.path("id").asLong();
            }
        }
        throw new AssertionError("no execution for machine " + machine + " in " + started);
    }

    private Process boot(long machine, String mac, String tap, Path disk, String name) throws Exception {
        Rest.awaitMillis(60_000, () -> "DEPLOY_OS".equals(get("machines/" + machine + "/boot-intent").path("intent")
                .asText()), "the Deploy-OS set as the next boot of machine " + machine);
        return machines.netbootOnTap(ns.name(), tap, mac, disk, console(name));
    }

    private Path console(String name) {
        return home.resolve(name + "-console.log");
    }

    private long machine(long group, String name, String mac) {
        return ok(send("POST", "machines", "{\"groupId\":" + group + ",\"name\":\"" + name + "\",\"macs\":[\"" + mac
                + "\"]}"), 201).get("id").asLong();
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
}
