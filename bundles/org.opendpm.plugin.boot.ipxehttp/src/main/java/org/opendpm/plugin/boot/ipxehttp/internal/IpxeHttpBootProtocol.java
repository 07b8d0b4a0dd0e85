package org.opendpm.plugin.boot.ipxehttp.internal;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.BootResponse;
import org.opendpm.spi.DeployOs;
import org.osgi.service.component.annotations.Component;

/**
 * iPXE clients (user class {@code iPXE}, any architecture) get an iPXE script per MAC; UEFI HTTP boot firmware
 * (architecture 16) that is not yet iPXE first gets {@code ipxe.efi} from the boot root, which comes back as iPXE.
 *
 * <p>Paths in the script are relative: iPXE resolves them against the script's own URL, so kernel and initrd come
 * from the same HTTP (or TFTP) boot root the script came from. The script sits at the root for that reason.
 *
 * <p>Local disk: {@code sanboot --no-describe --drive 0x80} on BIOS, {@code exit} to the firmware's next boot
 * option on UEFI (and on BIOS if the disk cannot boot). Registration menu (INV-5): the message with a 30 s prompt;
 * F8 opens a menu with Power Down and Local Boot; no key, or no choice within 30 s, powers the machine off.
 */
@Component(property = { BootProtocol.PROPERTY + "=" + IpxeHttpBootProtocol.KEY, "service.ranking:Integer=10" })
public class IpxeHttpBootProtocol implements BootProtocol {

    public static final String KEY = "ipxe-http";
    static final String EFI_LOADER = "ipxe.efi";
    /** iPXE's key code for F8 ({@code KEY_ANSI(19, '~')} in its keys.h). */
    static final String KEY_F8 = "0x147e";

    private static final String LOCAL_BOOT = "iseq ${platform} pcbios && sanboot --no-describe --drive 0x80 ||\n"
            + "exit\n";

    @Override
    public boolean supports(BootClient client) {
        return client.isIpxe() || client.architecture() == BootClient.ARCH_EFI_X86_64_HTTP;
    }

    @Override
    public Optional<BootResponse> respond(BootClient client, BootIntent intent) {
        if (!client.isIpxe()) {
            return Optional.of(new BootResponse(EFI_LOADER, Map.of()));
        }
        String script;
        if (intent instanceof BootIntent.DeployOsBoot d) {
            DeployOs os = d.deployOs();
            script = linux("Deploy-OS " + os.id(), os.kernel(), os.initrd(), os.bootArguments());
        } else if (intent instanceof BootIntent.OsInstaller o) {
            script = linux("OS installer", o.kernel(), o.initrd(), o.bootArguments());
        } else if (intent instanceof BootIntent.RegistrationMenu m) {
            script = registrationMenu(m);
        } else if (intent instanceof BootIntent.LocalDisk) {
            script = "#!ipxe\necho Booting from the local disk\n" + LOCAL_BOOT;
        } else if (intent instanceof BootIntent.MemdiskFloppy f && client.architecture() == BootClient.ARCH_BIOS) {
            script = linux("floppy image " + f.image(), f.memdisk(), f.image(), "floppy");
        } else if (intent instanceof BootIntent.EfiApplication a && isEfi(client)) {
            script = "#!ipxe\necho Starting EFI application " + text(a.application()) + "\nchain "
                    + word(a.application()) + (a.arguments().isBlank() ? "" : " " + text(a.arguments())) + "\n";
        } else {
            return Optional.empty(); // an intent this protocol cannot carry out: the core asks the next
        }
        String path = scriptPath(client.mac());
        return Optional.of(new BootResponse(path, Map.of(path, script)));
    }

    private static boolean isEfi(BootClient client) {
        int arch = client.architecture();
        return arch == BootClient.ARCH_EFI_X86_64 || arch == BootClient.ARCH_EFI_BC
                || arch == BootClient.ARCH_EFI_X86_64_HTTP || arch == BootClient.ARCH_EFI_IA32;
    }

    static String scriptPath(String mac) {
        return "ipxe-01-" + mac.toLowerCase(Locale.ROOT).replace(':', '-') + ".ipxe";
    }

    private static String linux(String title, String kernel, String initrd, String arguments) {
        StringBuilder b = new StringBuilder("#!ipxe\n");
        b.append("echo Booting ").append(text(title)).append('\n');
        b.append("kernel ").append(word(kernel));
        if (!initrd.isBlank()) {
            // EFI kernels find the initrd by the name given on their command line.
            b.append(" initrd=").append(word(baseName(initrd)));
        }
        if (!arguments.isBlank()) {
            b.append(' ').append(arguments.replaceAll("[\\r\\n]+", " ").trim());
        }
        b.append('\n');
        if (!initrd.isBlank()) {
            b.append("initrd ").append(word(initrd)).append('\n');
        }
        return b.append("boot\n").toString();
    }

    private static String registrationMenu(BootIntent.RegistrationMenu m) {
        String[] lines = m.message().split("\\R");
        int seconds = m.powerOffSeconds();
        int millis = seconds * 1000;
        StringBuilder b = new StringBuilder("#!ipxe\n");
        for (int i = 0; i < lines.length - 1; i++) {
            b.append("echo ").append(text(lines[i])).append('\n');
        }
        b.append("prompt --key ").append(KEY_F8).append(" --timeout ").append(millis).append(' ')
                .append(text(lines[lines.length - 1])).append(" (").append(seconds).append(") && goto menu ||")
                .append(" goto poweroff\n");
        b.append(":menu\n");
        b.append("menu OpenDPM\n");
        b.append("item poweroff Power Down\n");
        b.append("item local Local Boot\n");
        b.append("choose --timeout ").append(millis).append(" --default poweroff selected || goto poweroff\n");
        b.append("goto ${selected}\n");
        b.append(":local\n").append(LOCAL_BOOT);
        b.append(":poweroff\n");
        b.append("poweroff || exit\n");
        return b.toString();
    }

    private static String baseName(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    /** Text for echo/prompt: one line, and no '$' so iPXE expands nothing of it. */
    private static String text(String s) {
        return s.replaceAll("[\\r\\n]+", " ").replace("$", "").trim();
    }

    /** A path as one word: no white space or expansions. */
    private static String word(String s) {
        return s.replaceAll("[\\s$]", "");
    }
}
