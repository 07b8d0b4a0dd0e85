package org.opendpm.netboot.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.netboot.internal.BootService;
import org.opendpm.netboot.internal.http.PxeFirmwareFixture.Answer;
import org.opendpm.netboot.internal.http.PxeFirmwareFixture.Request;
import org.opendpm.netboot.internal.tftp.TftpStats.ErrorKind;
import org.opendpm.spi.BootClient;

/**
 * Real BIOS firmware runs the pxelinux configuration we generate (NET-1): QEMU's BIOS with Debian's iPXE ROM
 * chains Debian's {@code pxelinux.0} from our TFTP server, and pxelinux then asks our server for
 * {@code pxelinux.cfg/...} and whatever that file names. The assertions are on the server's side: what was asked,
 * in which order, and how it was answered; the dummy kernels never run.
 *
 * <p>QEMU's DHCP server cannot carry our TFTP port, so the first iPXE script sets DHCP option 210 (pxelinux's path
 * prefix, RFC 5071) to {@code tftp://10.0.2.2:PORT/} before chaining pxelinux.0; every later name is relative to it,
 * as with port 69 in production. Each VM runs a few seconds under TCG. A missing QEMU, iPXE ROM, pxelinux or
 * syslinux module fails the test under CI (CI=true) naming the Debian package, and skips it elsewhere.
 */
public class QemuPxelinuxInteropTest {

    private static final Path PXELINUX = Path.of("/usr/lib/PXELINUX/pxelinux.0");
    private static final Path SYSLINUX_MODULES = Path.of("/usr/lib/syslinux/modules/bios");
    /** The modules pxelinux.0 and our registration menu load (see PxeBiosBootProtocol). */
    private static final List<String> MODULES = List.of("ldlinux.c32", "menu.c32", "libutil.c32", "libcom32.c32",
            "poweroff.c32");
    private static final long BOOT_TIMEOUT_SECONDS = 60;
    /** 10.0.2.15, QEMU's DHCP address for the guest, as pxelinux spells it in its config file names. */
    private static final List<String> IP_HEX_PROBES = List.of("0A00020F", "0A00020", "0A0002", "0A000", "0A00", "0A0",
            "0A", "0");

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    /** NET-1, OSI-4: an OS installer intent boots the installer's kernel and initrd through the generated file. */
    @Test
    public void osInstallerIntentIsServedAsGeneratedConfigAndPxelinuxFetchesItsKernelAndInitrd() throws Exception {
        String mac = "52:54:00:0d:d1:01";
        try (PxeFirmwareFixture server = new PxeFirmwareFixture(bootRoot(), 0)) {
            dummy(server, "installer/vmlinuz", 20_000);
            dummy(server, "installer/initrd.img", 30_000);
            server.managed(mac, NextBoot.osInstaller("installer/vmlinuz", "installer/initrd.img",
                    "auto=true priority=critical", true));
            BootService.Decision d = server.decide(mac, "5f0c2a4e-8b1d-4c3a-9e77-0123456789c1", BootClient.ARCH_BIOS);
            assertThat(d.response().bootFile()).isEqualTo("pxelinux.0");
            String config = "pxelinux.cfg/01-52-54-00-0d-d1-01";
            assertThat(server.generated(config)).contains("KERNEL installer/vmlinuz",
                    "APPEND initrd=installer/initrd.img auto=true priority=critical");

            boot(server, mac, "5f0c2a4e-8b1d-4c3a-9e77-0123456789c1",
                    () -> server.served("installer/initrd.img") && allTransfersDone(server));

            List<Request> seen = server.requests();
            assertThat(seen).extracting(Request::path).containsSubsequence("boot.ipxe", "pxelinux.0", "ldlinux.c32",
                    config, "installer/vmlinuz", "installer/initrd.img");
            assertThat(answerOf(seen, config)).isEqualTo(Answer.GENERATED);
            assertThat(answerOf(seen, "installer/vmlinuz")).isEqualTo(Answer.FILE);
            // OSI-4: pxelinux asks for its UUID's name first; the miss is answered and the boot goes on.
            int configAt = indexOf(seen, config);
            assertThat(seen.subList(0, configAt)).filteredOn(r -> r.answer() == Answer.NOT_FOUND).singleElement()
                    .satisfies(r -> assertThat(r.path()).matches("pxelinux\\.cfg/[0-9a-f]{8}-[0-9a-f-]{27}"));
            assertThat(server.stats().errors().get(ErrorKind.NOT_FOUND))
                    .isEqualTo(1L);
            assertThat(server.stats().failed()).isZero();
            // The one-shot intent is consumed by the fetch of its file, not by the decision.
            long id = server.machineId(mac);
            for (int i = 0; i < 50 && !server.clearedIntents().contains(id); i++) {
                Thread.sleep(100); // cleared on the intent service's own thread
            }
            assertThat(server.clearedIntents()).containsExactly(id);
        }
    }

    /** NET-1: a Deploy-OS intent boots the resolved Deploy-OS kernel and initrd, and stays (not one-shot). */
    @Test
    public void deployOsIntentBootsTheResolvedDeployOsKernelAndInitrd() throws Exception {
        String mac = "52:54:00:0d:d1:02";
        try (PxeFirmwareFixture server = new PxeFirmwareFixture(bootRoot(), 0)) {
            dummy(server, "deployos/x64_test/vmlinuz", 20_000);
            dummy(server, "deployos/x64_test/initrd.img", 10_000);
            server.managed(mac, NextBoot.deployOs(Optional.of("x64_test"), false));
            server.decide(mac, "5f0c2a4e-8b1d-4c3a-9e77-0123456789c2", BootClient.ARCH_BIOS);

            boot(server, mac, "5f0c2a4e-8b1d-4c3a-9e77-0123456789c2",
                    () -> server.served("deployos/x64_test/initrd.img") && allTransfersDone(server));

            List<Request> seen = server.requests();
            assertThat(answerOf(seen, "pxelinux.cfg/01-52-54-00-0d-d1-02")).isEqualTo(Answer.GENERATED);
            assertThat(seen).extracting(Request::path).containsSubsequence("pxelinux.cfg/01-52-54-00-0d-d1-02",
                    "deployos/x64_test/vmlinuz", "deployos/x64_test/initrd.img");
            assertThat(server.stats().failed()).isZero();
            assertThat(server.clearedIntents()).isEmpty();
        }
    }

    /** NET-1: local disk is pxelinux's LOCALBOOT; after the generated file nothing else is fetched. */
    @Test
    public void localDiskIntentIsServedAndPxelinuxFetchesNothingMore() throws Exception {
        String mac = "52:54:00:0d:d1:03";
        String config = "pxelinux.cfg/01-52-54-00-0d-d1-03";
        try (PxeFirmwareFixture server = new PxeFirmwareFixture(bootRoot(), 0)) {
            server.managed(mac, NextBoot.localDisk(false));
            server.decide(mac, "5f0c2a4e-8b1d-4c3a-9e77-0123456789c3", BootClient.ARCH_BIOS);
            assertThat(server.generated(config)).contains("LOCALBOOT 0");

            Quiet quiet = new Quiet(server);
            // Two quiet seconds past the generated file: long enough for pxelinux to have asked for a kernel.
            boot(server, mac, "5f0c2a4e-8b1d-4c3a-9e77-0123456789c3",
                    () -> server.served(config) && allTransfersDone(server) && quiet.forMillis(2_000));

            List<Request> seen = server.requests();
            assertThat(seen.get(seen.size() - 1)).isEqualTo(new Request(config, Answer.GENERATED));
        }
    }

    /**
     * INV-5, NET-1: a new machine's registration menu loads menu.c32 and its library from our root, and menu.c32
     * reads the generated file again for its entries.
     */
    @Test
    public void registrationMenuLoadsTheMenuModulesFromTheBootRoot() throws Exception {
        String mac = "52:54:00:0d:d1:04";
        String config = "pxelinux.cfg/01-52-54-00-0d-d1-04";
        try (PxeFirmwareFixture server = new PxeFirmwareFixture(bootRoot(), 0)) {
            server.decide(mac, "5f0c2a4e-8b1d-4c3a-9e77-0123456789c4", BootClient.ARCH_BIOS);
            assertThat(server.generated(config)).contains("UI menu.c32", "COM32 poweroff.c32");

            // Not waiting for the 30 s countdown that ends in poweroff.c32.
            boot(server, mac, "5f0c2a4e-8b1d-4c3a-9e77-0123456789c4", () -> server.served("libutil.c32")
                    && server.requests().stream().filter(r -> r.path().equals(config)).count() == 2
                    && allTransfersDone(server));

            List<Request> seen = server.requests();
            assertThat(seen).extracting(Request::path).containsSubsequence(config, "menu.c32", "libutil.c32", config);
            assertThat(seen).filteredOn(r -> r.path().equals(config)).extracting(Request::answer)
                    .containsOnly(Answer.GENERATED);
            assertThat(seen).filteredOn(r -> r.path().endsWith(".c32")).allSatisfy(
                    r -> assertThat(r.answer()).as(r.path()).isEqualTo(Answer.FILE));
        }
    }

    /**
     * OSI-4: a machine the server made no decision for (e.g. after a restart) finds no generated file. pxelinux
     * probes UUID, MAC and the IP in hex from 8 digits down to 1, each answered with a TFTP error, and the server
     * still serves the pxelinux.cfg/default that follows.
     */
    @Test
    public void missingConfigFilesAreAnsweredFileNotFoundAndTheServerKeepsServing() throws Exception {
        String mac = "52:54:00:0d:d1:05";
        try (PxeFirmwareFixture server = new PxeFirmwareFixture(bootRoot(), 0)) {
            Files.writeString(server.root().resolve("pxelinux.cfg/default"), "DEFAULT local\nLABEL local\n"
                    + "  KERNEL fallback/vmlinuz\n", StandardCharsets.US_ASCII);
            dummy(server, "fallback/vmlinuz", 5_000);

            boot(server, mac, "5f0c2a4e-8b1d-4c3a-9e77-0123456789c5",
                    () -> server.served("fallback/vmlinuz") && allTransfersDone(server));

            List<Request> seen = server.requests();
            List<Request> probes = seen.subList(indexOf(seen, "ldlinux.c32") + 1,
                    indexOf(seen, "pxelinux.cfg/default"));
            assertThat(probes).allSatisfy(r -> assertThat(r.answer()).isEqualTo(Answer.NOT_FOUND));
            assertThat(probes).extracting(Request::path).hasSize(2 + IP_HEX_PROBES.size());
            assertThat(probes.get(0).path()).matches("pxelinux\\.cfg/[0-9a-f]{8}-[0-9a-f-]{27}");
            assertThat(probes.get(1).path()).isEqualTo("pxelinux.cfg/01-52-54-00-0d-d1-05");
            assertThat(probes.subList(2, probes.size())).extracting(Request::path)
                    .containsExactlyElementsOf(IP_HEX_PROBES.stream().map(h -> "pxelinux.cfg/" + h).toList());
            assertThat(server.stats().errors().get(ErrorKind.NOT_FOUND))
                    .isEqualTo(probes.size());
            assertThat(answerOf(seen, "pxelinux.cfg/default")).isEqualTo(Answer.FILE);
            assertThat(answerOf(seen, "fallback/vmlinuz")).isEqualTo(Answer.FILE);
            assertThat(server.stats().failed()).isZero();
        }
    }

    /** A boot root with Debian's pxelinux.0 and the syslinux modules, and the iPXE script that chains it. */
    private Path bootRoot() throws IOException {
        QemuIpxeInteropTest.requireFile(PXELINUX, "pxelinux");
        Path root = tmp.newFolder().toPath();
        Files.copy(PXELINUX, root.resolve("pxelinux.0"));
        for (String module : MODULES) {
            Path source = SYSLINUX_MODULES.resolve(module);
            QemuIpxeInteropTest.requireFile(source, "syslinux-common");
            Files.copy(source, root.resolve(module), StandardCopyOption.COPY_ATTRIBUTES);
        }
        Files.createDirectories(root.resolve("pxelinux.cfg"));
        return root;
    }

    private static void dummy(PxeFirmwareFixture server, String path, int size) throws IOException {
        Path file = server.root().resolve(path);
        Files.createDirectories(file.getParent());
        byte[] bytes = new byte[size];
        new java.util.Random(size).nextBytes(bytes);
        Files.write(file, bytes);
    }

    /** Boots the VM until the condition holds on the server's side; fails with what the server saw otherwise. */
    private void boot(PxeFirmwareFixture server, String mac, String uuid, BooleanSupplier done) throws Exception {
        int port = server.port();
        // The script is static: the decision was made on "DHCP", as our PXE server makes it.
        Files.writeString(server.root().resolve("boot.ipxe"), "#!ipxe\n"
                + "set 210:string tftp://10.0.2.2:" + port + "/\n"
                + "chain tftp://10.0.2.2:" + port + "/pxelinux.0\n", StandardCharsets.US_ASCII);
        Path log = tmp.getRoot().toPath().resolve("qemu-" + mac.replace(':', '-') + ".log");
        try (QemuVm vm = QemuVm.start(mac, uuid, "tftp://10.0.2.2:" + port + "/boot.ipxe", false, log)) {
            if (!vm.await(done, BOOT_TIMEOUT_SECONDS)) {
                fail("pxelinux did not get what it should within " + BOOT_TIMEOUT_SECONDS + " s; the server saw:"
                        + server.report() + "\n" + vm.state());
            }
            System.out.printf("QEMU BIOS+iPXE+pxelinux %s: %.1f s; the server saw:%s%n", mac, vm.secondsSinceStart(),
                    server.report());
        }
    }

    /** Every transfer the server started (generated or from disk) has ended. */
    private static boolean allTransfersDone(PxeFirmwareFixture server) {
        return server.stats().inFlight() == 0
                && server.stats().completed() + server.stats().failed() == server.requests().stream()
                        .filter(r -> r.answer() != Answer.NOT_FOUND).count();
    }

    /** True once no new request came for a while; polled by {@link QemuVm#await}. */
    private static final class Quiet {
        private final PxeFirmwareFixture server;
        private int count = -1;
        private long since;

        Quiet(PxeFirmwareFixture server) {
            this.server = server;
        }

        boolean forMillis(long millis) {
            int now = server.requests().size();
            long time = System.currentTimeMillis();
            if (now != count) {
                count = now;
                since = time;
            }
            return time - since >= millis;
        }
    }

    private static Answer answerOf(List<Request> seen, String path) {
        return seen.stream().filter(r -> r.path().equals(path)).map(Request::answer).findFirst()
                .orElseThrow(() -> new AssertionError(path + " was never requested; requests: " + seen));
    }

    private static int indexOf(List<Request> seen, String path) {
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i).path().equals(path)) {
                return i;
            }
        }
        return -1;
    }
}
