package org.opendpm.netboot.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.BindException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.netboot.internal.BootService;
import org.opendpm.netboot.internal.http.PxeFirmwareFixture.Answer;
import org.opendpm.netboot.internal.http.PxeFirmwareFixture.Request;
import org.opendpm.netboot.internal.tftp.TftpStats.ErrorKind;
import org.opendpm.plugin.boot.pxeuefi.internal.PxeUefiBootProtocol;
import org.opendpm.spi.BootClient;

/**
 * Real UEFI firmware runs the GRUB configuration we generate (NET-1): QEMU with OVMF and Debian's iPXE ROM chains
 * Debian's {@code grubnetx64.efi} from our TFTP server; GRUB reads {@code grub/grub.cfg} (our static loader,
 * {@link PxeUefiBootProtocol#GRUBNET_LOADER}), which loads the generated {@code grub.cfg-01-<mac>}, and GRUB then
 * fetches the kernel and initrd it names. The assertions are on the server's side.
 *
 * <p>GRUB 2.06 speaks TFTP to port 69 only, and QEMU's user network answers 10.0.2.2:69 itself (its built-in TFTP
 * server, which refuses everything when not configured). So our server listens on 127.0.0.1:69 and the first iPXE
 * script gives GRUB 127.0.0.1 as next-server, which QEMU's NAT forwards to the host's loopback. Binding port 69
 * needs root (or CAP_NET_BIND_SERVICE): without it the test fails under CI (CI=true) and skips elsewhere, as it
 * does when QEMU, OVMF, the iPXE ROM or GRUB is missing. Each VM runs about 20 s under TCG.
 */
public class QemuGrubInteropTest {

    private static final Path GRUBNET = Path.of("/usr/lib/grub/x86_64-efi/monolithic/grubnetx64.efi");
    private static final int TFTP_PORT = 69;
    private static final long BOOT_TIMEOUT_SECONDS = 90;

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    /** NET-1: an OS installer intent: GRUB loads the generated file, then the kernel and initrd it names. */
    @Test
    public void osInstallerIntentIsServedAsGeneratedGrubCfgAndGrubFetchesItsKernelAndInitrd() throws Exception {
        String mac = "52:54:00:0d:d2:01";
        String config = "grub.cfg-01-52-54-00-0d-d2-01";
        try (PxeFirmwareFixture server = server()) {
            Files.createDirectories(server.root().resolve("installer"));
            Files.write(server.root().resolve("installer/vmlinuz"), fakeBzImage());
            Files.write(server.root().resolve("installer/initrd.img"), new byte[40_000]);
            server.managed(mac, NextBoot.osInstaller("installer/vmlinuz", "installer/initrd.img", "auto=true", true));
            BootService.Decision d = server.decide(mac, "5f0c2a4e-8b1d-4c3a-9e77-0123456789d1",
                    BootClient.ARCH_EFI_X86_64);
            assertThat(server.generated(config)).contains("linux '/installer/vmlinuz' auto=true",
                    "initrd '/installer/initrd.img'");

            boot(server, d, mac, "5f0c2a4e-8b1d-4c3a-9e77-0123456789d1",
                    () -> server.served("installer/initrd.img") && allTransfersDone(server));

            List<Request> seen = server.requests();
            assertThat(seen).extracting(Request::path).containsSubsequence("boot.ipxe", "grubx64.efi",
                    PxeUefiBootProtocol.GRUBNET_LOADER_PATH, config, "installer/vmlinuz", "installer/initrd.img");
            assertThat(answerOf(seen, PxeUefiBootProtocol.GRUBNET_LOADER_PATH)).isEqualTo(Answer.FILE);
            assertThat(answerOf(seen, config)).isEqualTo(Answer.GENERATED);
            assertThat(answerOf(seen, "installer/vmlinuz")).isEqualTo(Answer.FILE);
            // GRUB probes its module lists (grub/x86_64-efi/*.lst), which a monolithic image does not need.
            assertThat(seen).filteredOn(r -> r.answer() == Answer.NOT_FOUND)
                    .allSatisfy(r -> assertThat(r.path()).startsWith("grub/x86_64-efi/").endsWith(".lst"));
            assertThat(server.stats().failed()).isZero();
            long id = server.machineId(mac);
            for (int i = 0; i < 50 && !server.clearedIntents().contains(id); i++) {
                Thread.sleep(100); // cleared on the intent service's own thread
            }
            assertThat(server.clearedIntents()).containsExactly(id);
        }
    }

    /**
     * NET-1: a machine without a generated file (no decision, e.g. after a restart) gets a TFTP error for it from
     * the loader's configfile, and GRUB exits to the firmware: no kernel is asked for.
     */
    @Test
    public void machineWithoutGeneratedFileGetsFileNotFoundAndNoKernel() throws Exception {
        String mac = "52:54:00:0d:d2:02";
        String config = "grub.cfg-01-52-54-00-0d-d2-02";
        try (PxeFirmwareFixture server = server()) {
            BootService.Decision d = server.decide("52:54:00:0d:d2:99", "5f0c2a4e-8b1d-4c3a-9e77-0123456789d9",
                    BootClient.ARCH_EFI_X86_64); // another machine's decision: the boot file name is the same

            boot(server, d, mac, "5f0c2a4e-8b1d-4c3a-9e77-0123456789d2",
                    () -> server.requests().stream().anyMatch(r -> r.path().equals(config)));

            List<Request> seen = server.requests();
            assertThat(answerOf(seen, PxeUefiBootProtocol.GRUBNET_LOADER_PATH)).isEqualTo(Answer.FILE);
            assertThat(answerOf(seen, config)).isEqualTo(Answer.NOT_FOUND);
            assertThat(server.stats().errors().get(ErrorKind.NOT_FOUND))
                    .isEqualTo(seen.stream().filter(r -> r.answer() == Answer.NOT_FOUND).count());
            assertThat(seen).extracting(Request::path).noneMatch(p -> p.contains("vmlinuz"));
        }
    }

    /** Our server on 127.0.0.1:69 with a boot root holding GRUB and the loader; skips or fails without port 69. */
    private PxeFirmwareFixture server() throws IOException {
        QemuIpxeInteropTest.requireFile(GRUBNET, "grub-efi-amd64-bin");
        Path root = tmp.newFolder().toPath();
        Files.createDirectories(root.resolve("grub"));
        Files.writeString(root.resolve(PxeUefiBootProtocol.GRUBNET_LOADER_PATH), PxeUefiBootProtocol.GRUBNET_LOADER,
                StandardCharsets.US_ASCII);
        try {
            return new PxeFirmwareFixture(root, TFTP_PORT);
        } catch (IOException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BindException && String.valueOf(cause.getMessage()).contains("in use")) {
                fail("127.0.0.1:" + TFTP_PORT + " is in use by another TFTP server (tftpd-hpa? stop it: service"
                        + " tftpd-hpa stop); GRUB only speaks TFTP to port 69");
            }
            if (cause instanceof SocketException) {
                String message = "cannot bind 127.0.0.1:" + TFTP_PORT + " (" + cause.getMessage() + "): GRUB only"
                        + " speaks TFTP to port 69; run as root or grant CAP_NET_BIND_SERVICE";
                if ("true".equals(System.getenv("CI"))) {
                    fail(message);
                }
                Assume.assumeTrue(message, false);
            }
            throw e;
        }
    }

    private void boot(PxeFirmwareFixture server, BootService.Decision decision, String mac, String uuid,
            BooleanSupplier done) throws Exception {
        String bootFile = decision.response().bootFile();
        assertThat(bootFile).isEqualTo("grubx64.efi");
        Files.copy(GRUBNET, server.root().resolve(bootFile));
        // GRUB takes its server from the DHCP answer, where QEMU names 10.0.2.2; 127.0.0.1 reaches our port 69.
        Files.writeString(server.root().resolve("boot.ipxe"), "#!ipxe\n"
                + "set net0/next-server 127.0.0.1\n"
                + "chain tftp://127.0.0.1/" + bootFile + "\n", StandardCharsets.US_ASCII);
        Path log = tmp.getRoot().toPath().resolve("qemu-" + mac.replace(':', '-') + ".log");
        try (QemuVm vm = QemuVm.start(mac, uuid, "tftp://127.0.0.1/boot.ipxe", true, log)) {
            // A refused request never reaches the boot files: stop at once rather than wait for the timeout.
            boolean ok = vm.await(() -> done.getAsBoolean() || refused(server), BOOT_TIMEOUT_SECONDS)
                    && !refused(server);
            if (!ok) {
                fail((refused(server)
                        ? "The server refused GRUB's request: GRUB asks for absolute names such as"
                                + " '/grub/grub.cfg', which the TFTP server must take as relative to its root"
                        : "GRUB did not get what it should within " + BOOT_TIMEOUT_SECONDS + " s")
                        + "; the server saw:" + server.report() + "\n" + vm.state());
            }
            System.out.printf("QEMU OVMF+iPXE+GRUB %s: %.1f s; the server saw:%s%n", mac, vm.secondsSinceStart(),
                    server.report());
        }
    }

    private static boolean refused(PxeFirmwareFixture server) {
        return server.stats().errors().get(ErrorKind.ACCESS_DENIED) > 0;
    }

    private static boolean allTransfersDone(PxeFirmwareFixture server) {
        return server.stats().inFlight() == 0
                && server.stats().completed() + server.stats().failed() == server.requests().stream()
                        .filter(r -> r.answer() != Answer.NOT_FOUND).count();
    }

    private static Answer answerOf(List<Request> seen, String path) {
        return seen.stream().filter(r -> r.path().equals(path)).map(Request::answer).findFirst()
                .orElseThrow(() -> new AssertionError(path + " was never requested; requests: " + seen));
    }

    /**
     * The smallest file GRUB's {@code linux} accepts as an x86-64 bzImage (boot protocol 2.15, relocatable, EFI
     * handover), so that it goes on to the {@code initrd} line. Its code is {@code jmp $} throughout: the VM spins
     * instead of crashing when GRUB starts it.
     */
    static byte[] fakeBzImage() {
        int setupSectors = 1;
        byte[] image = new byte[(setupSectors + 1) * 512 + 8192];
        for (int i = (setupSectors + 1) * 512; i + 1 < image.length; i += 2) {
            image[i] = (byte) 0xEB;
            image[i + 1] = (byte) 0xFE;
        }
        ByteBuffer h = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        h.put(0x1F1, (byte) setupSectors);
        h.putShort(0x1FE, (short) 0xAA55);
        h.put(0x202, "HdrS".getBytes(StandardCharsets.US_ASCII));
        h.putShort(0x206, (short) 0x020F);
        h.put(0x211, (byte) 0x01); // LOADED_HIGH
        h.putInt(0x22C, 0x7FFFFFFF); // initrd_addr_max
        h.putInt(0x230, 0x200000); // kernel_alignment
        h.put(0x234, (byte) 1); // relocatable_kernel
        h.put(0x235, (byte) 21); // min_alignment
        h.putShort(0x236, (short) (0x1 | 0x8)); // XLF_KERNEL_64 | XLF_EFI_HANDOVER_64
        h.putInt(0x238, 2048); // cmdline_size
        h.putLong(0x258, 0x1000000L); // pref_address
        h.putInt(0x260, 0x100000); // init_size
        h.putInt(0x264, 0x100); // handover_offset
        return image;
    }
}
