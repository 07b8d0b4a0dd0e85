package org.opendpm.netboot.internal.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A QEMU guest that network-boots with Debian's iPXE ROM on QEMU's user network (no root, no bridge: the guest sees
 * the host's loopback as 10.0.2.2). Runs without KVM, headless, and never reboots; {@link #close} kills it.
 */
final class QemuVm implements AutoCloseable {

    static final String QEMU = "qemu-system-x86_64";
    static final Path IPXE_ROM = Path.of("/usr/lib/ipxe/qemu/pxe-e1000.rom");
    static final Path OVMF = Path.of("/usr/share/ovmf/OVMF.fd");

    private final Process process;
    private final Path log;
    private final long started = System.nanoTime();

    private QemuVm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * @param bootFile what QEMU's DHCP server hands out as the boot file (iPXE fetches and runs it)
     * @param uefi OVMF instead of QEMU's BIOS
     */
    static QemuVm start(String mac, String uuid, String bootFile, boolean uefi, Path log) throws IOException {
        QemuIpxeInteropTest.require(QEMU, "qemu-system-x86");
        QemuIpxeInteropTest.requireFile(IPXE_ROM, "ipxe-qemu");
        if (uefi) {
            QemuIpxeInteropTest.requireFile(OVMF, "ovmf");
        }
        List<String> cmd = new ArrayList<>(List.of(QEMU, "-accel", "tcg", "-m", "256", "-display", "none",
                "-serial", "none", "-monitor", "none", "-no-reboot", "-netdev", "user,id=n0,bootfile=" + bootFile,
                "-device", "e1000,netdev=n0,mac=" + mac, "-boot", "n", "-smbios", "type=1,uuid=" + uuid));
        if (uefi) {
            cmd.addAll(List.of("-bios", OVMF.toString()));
        }
        return new QemuVm(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start(),
                log);
    }

    /** Waits until the condition holds, the VM exits or the time is up; true if the condition holds. */
    boolean await(BooleanSupplier condition, long seconds) throws InterruptedException {
        long deadline = started + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean() && process.isAlive() && System.nanoTime() < deadline) {
            process.waitFor(100, TimeUnit.MILLISECONDS);
        }
        return condition.getAsBoolean();
    }

    double secondsSinceStart() {
        return (System.nanoTime() - started) / 1e9;
    }

    /** For failure messages: whether the VM still runs, and what QEMU printed. */
    String state() throws IOException {
        return "VM " + (process.isAlive() ? "running" : "exited " + process.exitValue()) + " after "
                + String.format("%.1f s", secondsSinceStart()) + "; QEMU output: " + Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
}
