package org.opendpm.netboot.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assert.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.netboot.internal.TestBoot;
import org.opendpm.netboot.internal.tftp.FileJail;

/**
 * Real PXE firmware: QEMU's BIOS with Debian's iPXE ROM network-boots against our HTTP boot endpoint on 127.0.0.1
 * (QEMU user networking maps 10.0.2.2 to the host's loopback and hands out our chain script as the boot file). The
 * VM's iPXE fetches the chain script, then its own script with its MAC, SMBIOS UUID and platform; the test asserts
 * on what the server saw and served, never on the VM's screen, and stops the VM as soon as it has its answer.
 *
 * <p>BIOS (QEMU's default) and UEFI (OVMF). Without KVM (TCG), boot to script takes a few seconds. A missing QEMU or iPXE ROM fails the test under CI
 * (CI=true) naming the Debian package, and skips it elsewhere.
 */
public class QemuIpxeInteropTest {

    private static final String QEMU = "qemu-system-x86_64";
    private static final Path IPXE_ROM = Path.of("/usr/lib/ipxe/qemu/pxe-e1000.rom");
    private static final Path OVMF = Path.of("/usr/share/ovmf/OVMF.fd");
    private static final long BOOT_TIMEOUT_SECONDS = 60;
    private static final Path MEMDISK = Path.of("/usr/lib/syslinux/memdisk");
    private static final Path GRUB_EFI = Path.of("/usr/lib/grub/x86_64-efi/monolithic/grubnetx64.efi");
    private static final String FLOPPY_SAYS = "OPENDPM FLOPPY BOOTED";

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void newMachineIsRegisteredWithMacAndUuidAndGetsTheRegistrationMenu() throws Exception {
        String mac = "52:54:00:0d:d0:01";
        String uuid = "5f0c2a4e-8b1d-4c3a-9e77-0123456789ab";
        TestBoot boot = TestBoot.withRegistrationMenu();
        String script = bootVm(boot, mac, uuid, "pcbios");
        assertThat(boot.inventorySeen()).contains(mac + " " + uuid);
        assertThat(boot.clients()).allSatisfy(c -> {
            assertThat(c.isIpxe()).isTrue();
            assertThat(c.architecture()).isZero(); // platform pcbios
        });
        assertThat(script).contains("prompt --key 0x147e --timeout 30000", "item poweroff Power Down",
                "item local Local Boot");
    }

    @Test
    public void forceskipMachineGetsTheLocalBootScript() throws Exception {
        String mac = "52:54:00:0d:d0:02";
        TestBoot boot = TestBoot.withForceskip(mac);
        String script = bootVm(boot, mac, "5f0c2a4e-8b1d-4c3a-9e77-0123456789ac", "pcbios");
        assertThat(boot.inventorySeen()).containsExactly(mac + " 5f0c2a4e-8b1d-4c3a-9e77-0123456789ac");
        assertThat(script).contains("sanboot --no-describe --drive 0x80").doesNotContain("prompt");
    }

    @Test
    public void uefiFirmwareIsSeenAsUefiX8664() throws Exception {
        requireFile(OVMF, "ovmf");
        String mac = "52:54:00:0d:d0:03";
        TestBoot boot = TestBoot.withRegistrationMenu();
        String script = bootVm(boot, mac, "5f0c2a4e-8b1d-4c3a-9e77-0123456789b0", "efi");
        assertThat(boot.inventorySeen()).contains(mac + " 5f0c2a4e-8b1d-4c3a-9e77-0123456789b0");
        assertThat(boot.clients()).allSatisfy(c -> assertThat(c.architecture()).isEqualTo(7));
        assertThat(script).contains("prompt --key 0x147e");
    }

    /**
     * Chain-loading a floppy image through memdisk (BIOS firmware flashing, HWS-1): syslinux's memdisk and a floppy
     * whose boot sector writes a line to the first serial port; the machine must print it.
     */
    @Test
    public void aFloppyImageBootsThroughMemdiskOnBios() throws Exception {
        requireFile(MEMDISK, "syslinux-common");
        Path root = tmp.newFolder().toPath();
        Files.copy(MEMDISK, root.resolve("memdisk"));
        Files.createDirectories(root.resolve("hws"));
        Files.write(root.resolve("hws/floppy.img"), floppy(FLOPPY_SAYS));
        TestBoot boot = TestBoot.withIntent(new org.opendpm.spi.BootIntent.MemdiskFloppy("memdisk", "hws/floppy.img"));
        String serial = bootToSerial(boot, root, "52:54:00:0d:d0:04", "pcbios", FLOPPY_SAYS);
        assertThat(serial).contains(FLOPPY_SAYS);
    }

    /** Chain-loading an EFI application on UEFI firmware: GRUB's network image stands in for a firmware updater. */
    @Test
    public void anEfiApplicationIsChainedOnUefi() throws Exception {
        requireFile(OVMF, "ovmf");
        requireFile(GRUB_EFI, "grub-efi-amd64-bin");
        Path root = tmp.newFolder().toPath();
        Files.createDirectories(root.resolve("hws"));
        Files.copy(GRUB_EFI, root.resolve("hws/app.efi"));
        TestBoot boot = TestBoot.withIntent(new org.opendpm.spi.BootIntent.EfiApplication("hws/app.efi", ""));
        String serial = bootToSerial(boot, root, "52:54:00:0d:d0:05", "efi", "GRUB");
        assertThat(serial).contains("GRUB");
    }

    /**
     * A 1.44 MB floppy whose boot sector (real mode, loaded at 0:7C00) writes {@code text} to COM1 and halts: QEMU's
     * UART takes bytes without being set up.
     */
    static byte[] floppy(String text) {
        byte[] image = new byte[1_474_560];
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
        System.arraycopy(code, 0, image, 0, code.length);
        byte[] line = (text + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(line, 0, image, code.length, line.length);
        image[510] = 0x55;
        image[511] = (byte) 0xAA;
        return image;
    }

    /** Boots a VM whose serial line goes to a file until the line shows {@code expected}; returns what it showed. */
    private String bootToSerial(TestBoot boot, Path root, String mac, String platform, String expected)
            throws Exception {
        require(QEMU, "qemu-system-x86");
        requireFile(IPXE_ROM, "ipxe-qemu");
        Path serial = tmp.getRoot().toPath().resolve("serial-" + mac.replace(':', '-') + ".log");
        Path log = tmp.getRoot().toPath().resolve("qemu-" + mac.replace(':', '-') + ".log");
        try (HttpBootTestServer server = new HttpBootTestServer(
                new HttpBoot(boot.service(), new FileJail(root, ""), (token, name) -> Optional.empty()),
                "127.0.0.1")) {
            String bootFile = "http://10.0.2.2:" + server.port() + HttpBootTestServer.PREFIX + "/chain.ipxe";
            List<String> cmd = new java.util.ArrayList<>(List.of(QEMU, "-accel", "tcg", "-m", "256", "-display",
                    "none", "-serial", "file:" + serial, "-monitor", "none", "-no-reboot", "-netdev",
                    "user,id=n0,bootfile=" + bootFile, "-device", "e1000,netdev=n0,mac=" + mac, "-boot", "n"));
            if (platform.equals("efi")) {
                cmd.addAll(List.of("-bios", OVMF.toString()));
            }
            Process vm = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOOT_TIMEOUT_SECONDS * 2);
                while (!read(serial).contains(expected) && vm.isAlive() && System.nanoTime() < deadline) {
                    vm.waitFor(200, TimeUnit.MILLISECONDS);
                }
                if (!read(serial).contains(expected)) {
                    fail("no '" + expected + "' on the serial line (VM " + (vm.isAlive() ? "running" : "exited")
                            + "); served: " + server.served() + "; serial: " + read(serial) + "; QEMU: "
                            + read(log));
                }
            } finally {
                vm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            return read(serial);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /**
     * Boots a VM until the server answered its iPXE request; returns the script it was served.
     *
     * @param platform iPXE's {@code ${platform}}: {@code pcbios} (QEMU's default BIOS) or {@code efi} (OVMF)
     */
    private String bootVm(TestBoot boot, String mac, String uuid, String platform) throws Exception {
        require(QEMU, "qemu-system-x86");
        requireFile(IPXE_ROM, "ipxe-qemu");
        Path root = tmp.newFolder().toPath();
        Path log = tmp.getRoot().toPath().resolve("qemu-" + mac.replace(':', '-') + ".log");
        try (HttpBootTestServer server = new HttpBootTestServer(
                new HttpBoot(boot.service(), new FileJail(root, ""), (token, name) -> Optional.empty()),
                "127.0.0.1")) {
            String bootFile = "http://10.0.2.2:" + server.port() + HttpBootTestServer.PREFIX + "/chain.ipxe";
            List<String> cmd = new java.util.ArrayList<>(List.of(QEMU, "-accel", "tcg", "-m", "256", "-display",
                    "none", "-serial", "none", "-monitor", "none", "-no-reboot", "-netdev",
                    "user,id=n0,bootfile=" + bootFile, "-device", "e1000,netdev=n0,mac=" + mac, "-boot", "n",
                    "-smbios", "type=1,uuid=" + uuid));
            if (platform.equals("efi")) {
                cmd.addAll(List.of("-bios", OVMF.toString()));
            }
            long start = System.nanoTime();
            Process vm = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                BooleanSupplier answered = () -> server.served().stream()
                        .anyMatch(s -> s.path().equals("/ipxe") && s.status() == 200);
                long deadline = start + TimeUnit.SECONDS.toNanos(BOOT_TIMEOUT_SECONDS);
                while (!answered.getAsBoolean() && vm.isAlive() && System.nanoTime() < deadline) {
                    vm.waitFor(100, TimeUnit.MILLISECONDS);
                }
                if (!answered.getAsBoolean()) {
                    fail("the VM's iPXE did not fetch its script within " + BOOT_TIMEOUT_SECONDS + " s (VM "
                            + (vm.isAlive() ? "running" : "exited " + vm.exitValue()) + "); served: "
                            + server.served() + "; QEMU output: " + Files.readString(log));
                }
                System.out.printf("QEMU+iPXE %s: boot to script in %.1f s%n", mac,
                        (System.nanoTime() - start) / 1e9);
            } finally {
                vm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(server.served()).extracting(HttpBootTestServer.Served::path).startsWith("/chain.ipxe");
            HttpBootTestServer.Served ipxe = server.served().stream().filter(s -> s.path().equals("/ipxe"))
                    .findFirst().orElseThrow();
            assertThat(ipxe.query()).contains("platform=" + platform);
            String scriptPath = "ipxe-01-" + mac.replace(':', '-') + ".ipxe";
            return new String(boot.service().generated(scriptPath).orElseThrow(),
                    java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Fails under CI, skips elsewhere, when a tool is not installed. */
    static void require(String binary, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, binary))) {
                return;
            }
        }
        missing("'" + binary + "' not found", debianPackage);
    }

    static void requireFile(Path file, String debianPackage) {
        if (!Files.isReadable(file)) {
            missing(file + " not found", debianPackage);
        }
    }

    private static void missing(String what, String debianPackage) {
        String message = what + ": install the Debian package " + debianPackage + " (apt-get install -y "
                + debianPackage + ")";
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        Assume.assumeTrue(message, false);
    }
}
