package org.opendpm.deployos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Boots the built Deploy-OS in QEMU (TCG, the machine's firmware: SeaBIOS) with the NICs and disk controllers of
 * real and virtual machines, and checks that the drivers load, DHCP works and the agent opens its TLS connection to
 * the server named on the kernel command line; and that a failure ends at the IMG-7 prompt, which obeys.
 *
 * <p>QEMU's user network maps 10.0.2.2 to the host's loopback, so the "server" is a socket on 127.0.0.1.
 */
public class DeployOsBootIT {

    /** TCG on a busy machine: a JVM is up 10 to 40 s after power-on. */
    private static final Duration BOOT = Duration.ofSeconds(180);

    private static Path image;

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @BeforeClass
    public static void requireQemuAndImage() {
        image = Path.of(System.getProperty("deployos.dir", "target/opendpm-deployos-amd64"));
        if (System.getProperty("deployos.skip") != null) {
            System.err.println("*** SKIPPING the Deploy-OS boot tests: -Ddeployos.skip, the image was not built ***");
            Assume.assumeTrue("-Ddeployos.skip", false);
        }
        String missing = null;
        if (!onPath("qemu-system-x86_64")) {
            missing = "qemu-system-x86_64 not found (Debian: apt-get install qemu-system-x86)";
        } else if (!Files.isRegularFile(image.resolve("vmlinuz"))
                || !Files.isRegularFile(image.resolve("initrd.img"))) {
            missing = "no Deploy-OS image in " + image + " (build it: deployos/build-deployos.sh)";
        }
        if (missing != null && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI=true and " + missing);
        }
        if (missing != null) {
            System.err.println("*** SKIPPING the Deploy-OS boot tests: " + missing + " ***");
        }
        Assume.assumeTrue(missing, missing == null);
    }

    @Test
    public void e1000AndVirtioDisk() throws Exception {
        bootAndConnect("e1000-virtio", List.of("-netdev", "user,id=n0", "-device", "e1000,netdev=n0",
                "-drive", "file=" + disk() + ",if=virtio,format=raw"), "e1000", "vda");
    }

    @Test
    public void virtioNetAndNvmeDisk() throws Exception {
        bootAndConnect("virtio-nvme", List.of("-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0",
                "-drive", "file=" + disk() + ",if=none,id=d0,format=raw", "-device", "nvme,serial=opendpm,drive=d0"),
                "virtio_net", "nvme0n1");
    }

    @Test
    public void e1000eAndAhciDiskOnQ35() throws Exception {
        bootAndConnect("q35-ahci", List.of("-machine", "q35", "-netdev", "user,id=n0", "-device", "e1000e,netdev=n0",
                "-drive", "file=" + disk() + ",if=none,id=d0,format=raw", "-device", "ide-hd,drive=d0,bus=ide.0"),
                "e1000e", "sda");
    }

    /** IMG-7: without a server the Deploy-OS says why and offers poweroff and reboot; 'p' powers the VM off. */
    @Test
    public void missingServerEndsAtThePromptAndPowersOff() throws Exception {
        var args = common("console=tty0 console=ttyS0 quiet opendpm.token=abc");
        args.addAll(List.of("-netdev", "user,id=n0", "-device", "e1000,netdev=n0"));
        try (var vm = QemuVm.start(args, log("no-server"))) {
            vm.await(Pattern.compile("ERROR: no opendpm.server=HOST:PORT on the kernel command line"), BOOT);
            vm.await(Pattern.compile("Press 'p' key to poweroff, 'r' key to reboot:"), Duration.ofSeconds(10));
            vm.type("x");
            // Another key is not an answer: the prompt comes again and the machine stays on.
            vm.await(Pattern.compile("(?s)Press 'p' key.*Press 'p' key"), Duration.ofSeconds(30));
            assertThat(vm.awaitExit(Duration.ofSeconds(2))).as("QEMU ended on a key other than p or r").isFalse();
            vm.type("p");
            assertThat(vm.awaitExit(Duration.ofSeconds(60))).as("QEMU powered off after 'p'; console:\n%s",
                    vm.tail()).isTrue();
            assertThat(vm.tail()).contains("powering off");
        }
    }

    private void bootAndConnect(String name, List<String> hardware, String nicDriver, String disk) throws Exception {
        try (var server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout((int) BOOT.toMillis());
            // The agent pins the server it hands its token to, so a Deploy-OS is never started without a
            // fingerprint; the ClientHello comes before the certificate is checked.
            var args = common("console=tty0 console=ttyS0 quiet opendpm.server=10.0.2.2:" + server.getLocalPort()
                    + " opendpm.fingerprint=" + "ab".repeat(32) + " opendpm.token=abc");
            args.addAll(hardware);
            var hello = CompletableFuture.supplyAsync(() -> firstRecord(server));
            try (var vm = QemuVm.start(args, log(name))) {
                vm.await(Pattern.compile("network interface eth0 \\S+ \\(" + nicDriver + "\\)"), BOOT);
                vm.await(Pattern.compile("disks: .*\\b" + disk + "\\b"), Duration.ofSeconds(5));
                vm.await(Pattern.compile("eth0: 10\\.0\\.2\\.15/24 via 10\\.0\\.2\\.2"), BOOT);
                vm.await(Pattern.compile("starting the agent: server 10\\.0\\.2\\.2:" + server.getLocalPort()), BOOT);
                byte[] record = hello.get(BOOT.toSeconds(), TimeUnit.SECONDS);
                // A TLS handshake record (22, version 3.x) carrying a ClientHello (handshake type 1).
                assertThat(record[0]).as("TLS record type").isEqualTo((byte) 22);
                assertThat(record[1]).as("TLS major version").isEqualTo((byte) 3);
                assertThat(record[5]).as("handshake type ClientHello").isEqualTo((byte) 1);
            }
        }
    }

    /** The first 6 bytes the first connection sends: the TLS record header and the handshake type. */
    private static byte[] firstRecord(ServerSocket server) {
        try (Socket s = server.accept()) {
            s.setSoTimeout(30_000);
            byte[] b = new byte[6];
            new DataInputStream(s.getInputStream()).readFully(b);
            return b;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the agent did not connect within " + BOOT.toSeconds() + " s", e);
        } catch (IOException e) {
            throw new AssertionError("reading the agent's first bytes failed", e);
        }
    }

    private List<String> common(String append) {
        return new ArrayList<>(List.of("-m", "512", "-nographic", "-no-reboot",
                "-kernel", image.resolve("vmlinuz").toString(), "-initrd", image.resolve("initrd.img").toString(),
                "-append", append));
    }

    private String disk() throws IOException {
        File f = temp.newFile("disk.raw");
        try (var raf = new RandomAccessFile(f, "rw")) {
            raf.setLength(64L << 20);
        }
        return f.getAbsolutePath();
    }

    /** Console logs stay in target/ for the failure report. */
    private static Path log(String name) throws IOException {
        Path dir = Path.of(System.getProperty("deployos.logs", "target/qemu-logs"));
        Files.createDirectories(dir);
        return dir.resolve(name + ".log");
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
