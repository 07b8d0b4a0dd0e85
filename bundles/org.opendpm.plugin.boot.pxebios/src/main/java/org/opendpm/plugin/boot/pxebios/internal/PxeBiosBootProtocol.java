package org.opendpm.plugin.boot.pxebios.internal;

import java.util.Map;
import java.util.Optional;

import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.BootResponse;
import org.opendpm.spi.DeployOs;
import org.osgi.service.component.annotations.Component;

/**
 * Legacy BIOS PXE clients (architecture 0) that are not iPXE: they load {@code pxelinux.0} (SYSLINUX) from the TFTP
 * root, which reads {@code pxelinux.cfg/01-<mac>} first; we generate that file for the intent. The boot root must
 * hold {@code pxelinux.0}, {@code ldlinux.c32}, {@code menu.c32}, {@code libutil.c32}, {@code libcom32.c32} and
 * {@code poweroff.c32} from Debian's {@code syslinux-common} and {@code pxelinux} packages.
 *
 * <p>The registration menu (INV-5) uses menu.c32's hidden mode: only the message with the countdown shows, F8 (any
 * key) opens the menu with Power Down and Local Boot, and when the countdown ends the machine powers off.
 */
@Component(property = BootProtocol.PROPERTY + "=" + PxeBiosBootProtocol.KEY)
public class PxeBiosBootProtocol implements BootProtocol {

    public static final String KEY = "pxe-bios";
    static final String BOOT_FILE = "pxelinux.0";

    @Override
    public boolean supports(BootClient client) {
        return client.architecture() == BootClient.ARCH_BIOS && !client.isIpxe();
    }

    @Override
    public Optional<BootResponse> respond(BootClient client, BootIntent intent) {
        String config;
        if (intent instanceof BootIntent.DeployOsBoot d) {
            DeployOs os = d.deployOs();
            config = linux("deployos", "Deploy-OS " + os.id(), os.kernel(), os.initrd(), os.bootArguments());
        } else if (intent instanceof BootIntent.OsInstaller o && (isUrl(o.kernel()) || isUrl(o.initrd()))) {
            return Optional.empty(); // pxelinux fetches from the TFTP root only: iPXE takes installers on a web server
        } else if (intent instanceof BootIntent.OsInstaller o) {
            config = linux("installer", "OS installer", o.kernel(), o.initrd(), o.bootArguments());
        } else if (intent instanceof BootIntent.RegistrationMenu m) {
            config = registrationMenu(m);
        } else if (intent instanceof BootIntent.LocalDisk) {
            config = "DEFAULT local\nLABEL local\n  LOCALBOOT 0\n";
        } else if (intent instanceof BootIntent.MemdiskFloppy f) {
            // memdisk keeps the image in high memory as drive A: (option "floppy") for a DOS flashing tool.
            config = linux("floppy", "Floppy image " + f.image(), f.memdisk(), f.image(), "floppy");
        } else {
            return Optional.empty(); // an intent this protocol cannot carry out: the core asks the next
        }
        return Optional.of(new BootResponse(BOOT_FILE, Map.of(configPath(client.mac()), config)));
    }

    /** pxelinux looks for {@code 01-} (ARP type Ethernet) and the MAC in lower case with dashes. */
    static String configPath(String mac) {
        return "pxelinux.cfg/01-" + mac.toLowerCase(java.util.Locale.ROOT).replace(':', '-');
    }

    private static String linux(String label, String title, String kernel, String initrd, String arguments) {
        StringBuilder b = new StringBuilder();
        b.append("DEFAULT ").append(label).append('\n');
        b.append("LABEL ").append(label).append('\n');
        b.append("  MENU LABEL ").append(oneLine(title)).append('\n');
        b.append("  KERNEL ").append(oneLine(kernel)).append('\n');
        StringBuilder append = new StringBuilder();
        if (!initrd.isBlank()) {
            append.append("initrd=").append(oneLine(initrd));
        }
        if (!arguments.isBlank()) {
            append.append(append.length() > 0 ? " " : "").append(oneLine(arguments));
        }
        if (append.length() > 0) {
            b.append("  APPEND ").append(append).append('\n');
        }
        return b.toString();
    }

    private static String registrationMenu(BootIntent.RegistrationMenu m) {
        // TIMEOUT counts tenths of a second; MENU AUTOBOOT shows '#' as the seconds left.
        return "UI menu.c32\n"
                + "MENU HIDDEN\n"
                + "MENU TITLE OpenDPM\n"
                + "MENU AUTOBOOT " + oneLine(m.message()) + " (#)\n"
                + "TIMEOUT " + (m.powerOffSeconds() * 10) + "\n"
                + "DEFAULT poweroff\n"
                + "LABEL poweroff\n"
                + "  MENU LABEL Power Down\n"
                + "  COM32 poweroff.c32\n"
                + "LABEL local\n"
                + "  MENU LABEL Local Boot\n"
                + "  LOCALBOOT 0\n";
    }

    /** A value on one configuration line: line breaks would start new directives. */
    private static String oneLine(String s) {
        return s.replaceAll("[\\r\\n]+", " ").trim();
    }

    private static boolean isUrl(String path) {
        return path.regionMatches(true, 0, "http://", 0, 7) || path.regionMatches(true, 0, "https://", 0, 8);
    }
}
