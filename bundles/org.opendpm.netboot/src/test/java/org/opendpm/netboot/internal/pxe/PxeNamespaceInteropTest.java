package org.opendpm.netboot.internal.pxe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assert.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

/**
 * A real DHCP client acting as a PXE client: busybox udhcpc with a PXEClient vendor class, architecture 7 (option
 * 93) and a UUID (option 97) in a network namespace, joined by a veth pair to a namespace where our proxyDHCP and
 * boot server run in a process of their own ({@link PxeServerMain}). The test creates both namespaces and removes
 * them; nothing touches the host's own network.
 *
 * <p>udhcpc shows that it took our proxy offer by sending a REQUEST ("select for 0.0.0.0, server 10.99.0.1"); the
 * server shows the client it registered (MAC, UUID, architecture) and its answer count. Needs root for
 * {@code ip netns}: under CI (CI=true) a missing tool or permission fails the test, elsewhere it is skipped.
 */
public class PxeNamespaceInteropTest {

    private static final String SERVER_IP = "10.99.0.1";
    private static final String CLIENT_MAC = "52:54:00:0d:d0:10";
    private static final String UUID = "5f0c2a4e-8b1d-4c3a-9e77-0123456789ad";

    private final String suffix = Long.toString(ProcessHandle.current().pid() % 100000);
    private final String serverNs = "odpm-s" + suffix;
    private final String clientNs = "odpm-c" + suffix;
    private final String serverLink = "odpm" + suffix + "s";
    private final String clientLink = "odpm" + suffix + "c";
    private final List<String> serverOut = new CopyOnWriteArrayList<>();
    private Process server;
    private boolean created;

    @Before
    public void namespaces() throws Exception {
        requireTool("ip", "iproute2");
        requireTool("busybox", "busybox");
        if (run("ip", "netns", "add", serverNs) != 0) {
            missing("'ip netns add' is not permitted (needs root)", "iproute2, and root");
        }
        created = true;
        check("ip", "netns", "add", clientNs);
        check("ip", "link", "add", serverLink, "type", "veth", "peer", "name", clientLink);
        check("ip", "link", "set", serverLink, "netns", serverNs);
        check("ip", "link", "set", clientLink, "netns", clientNs);
        check("ip", "-n", serverNs, "addr", "add", SERVER_IP + "/24", "dev", serverLink);
        check("ip", "-n", serverNs, "link", "set", serverLink, "up");
        check("ip", "-n", clientNs, "link", "set", clientLink, "address", CLIENT_MAC);
        check("ip", "-n", clientNs, "link", "set", clientLink, "up");
    }

    @After
    public void cleanUp() throws Exception {
        if (server != null) {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (created) {
            // Deleting a namespace deletes the veth end inside it, and with it the pair.
            run("ip", "netns", "del", clientNs);
            run("ip", "netns", "del", serverNs);
        }
    }

    @Test
    public void udhcpcAsPxeClientTakesOurProxyOfferAndIsSeenWithMacUuidAndArchitecture() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The subnet broadcast: the server namespace has no route for 255.255.255.255, like many real servers.
        server = new ProcessBuilder("ip", "netns", "exec", serverNs, java, "-cp",
                System.getProperty("java.class.path"), PxeServerMain.class.getName(), "0.0.0.0", SERVER_IP,
                "10.99.0.255").redirectErrorStream(true).start();
        Thread reader = new Thread(() -> collect(server), "pxe-server-output");
        reader.setDaemon(true);
        reader.start();
        awaitLine("READY", 30);

        Process client = new ProcessBuilder("ip", "netns", "exec", clientNs, "busybox", "udhcpc", "-f", "-n", "-i",
                clientLink, "-V", "PXEClient:Arch:00007:UNDI:003016", "-x", "0x5d:0007", "-x",
                "0x61:00" + UUID.replace("-", ""), "-t", "3", "-T", "1", "-A", "1", "-s", "/bin/true")
                .redirectErrorStream(true).start();
        String clientOut;
        try {
            if (!client.waitFor(30, TimeUnit.SECONDS)) {
                fail("udhcpc did not finish");
            }
            clientOut = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            client.destroyForcibly();
        }
        awaitLine("ANSWERED 1", 5);
        assertThat(serverOut).contains("SEEN " + CLIENT_MAC + " " + UUID + " 7");
        assertThat(clientOut).as("udhcpc output").contains("select for 0.0.0.0, server " + SERVER_IP);
    }

    private void collect(Process p) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                serverOut.add(line);
            }
        } catch (IOException e) {
            serverOut.add("output lost: " + e);
        }
    }

    private void awaitLine(String line, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!serverOut.contains(line) && server.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (!serverOut.contains(line)) {
            fail("the PXE server did not print '" + line + "' within " + seconds + " s: " + serverOut);
        }
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static void check(String... cmd) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of(cmd));
        if (run(cmd) != 0) {
            fail("failed: " + String.join(" ", c));
        }
    }

    private static void requireTool(String binary, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
                .split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, binary))) {
                return;
            }
        }
        missing("'" + binary + "' not found", debianPackage);
    }

    private static void missing(String what, String debianPackage) {
        String message = what + ": install the Debian package " + debianPackage;
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        Assume.assumeTrue(message, false);
    }
}
