package org.opendpm.plugin.boot.pxeuefi.internal;

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
 * UEFI PXE clients (architecture 6 IA32, 7 and 9 x86-64) that are not iPXE: they load GRUB from the TFTP root and
 * read {@code grub.cfg-01-<mac>} there, which we generate for the intent. Two GRUB images work:
 * <ul>
 * <li>one built with the root as prefix ({@code grub-mknetdir --net-directory=ROOT --subdir=/}): its normal mode
 * looks for {@code grub.cfg-01-<mac>} in the prefix before {@code grub.cfg};
 * <li>Debian's and Ubuntu's {@code grubnetx64.efi} (package {@code grub-efi-amd64-bin}, or the signed one), renamed
 * to the boot file: its prefix is {@code /grub} and its built-in configuration only sources
 * {@code grub/grub.cfg}, never the per-MAC names. The boot root then holds {@link #GRUBNET_LOADER} as
 * {@value #GRUBNET_LOADER_PATH}, which loads the generated file by the client's MAC (a machine without one boots its
 * disk). It is one file for every machine, so it is not generated per decision.
 * </ul>
 * Paths in the generated file are absolute below the TFTP root, which is GRUB's {@code $root} on network boot; GRUB
 * asks the server for them with a leading '/'. GRUB 2.06 speaks TFTP to port 69 only.
 *
 * <p>Local disk is GRUB's {@code exit}: the firmware goes on to its next boot option, the disk. The registration
 * menu (INV-5) shows the message with a 30 s countdown that powers the machine off ({@code halt}); Esc opens the
 * menu with Power Down and Local Boot (GRUB has no F8 hot key outside a visible menu).
 */
@Component(property = BootProtocol.PROPERTY + "=" + PxeUefiBootProtocol.KEY)
public class PxeUefiBootProtocol implements BootProtocol {

    public static final String KEY = "pxe-uefi";

    /** Where Debian's {@code grubnetx64.efi} (prefix {@code /grub}) reads its configuration. */
    public static final String GRUBNET_LOADER_PATH = "grub/grub.cfg";

    /**
     * The static {@value #GRUBNET_LOADER_PATH} for Debian's {@code grubnetx64.efi}: spells the MAC as the generated
     * file's name does (GRUB's {@code $net_default_mac} is lower case with colons) and loads that file; when there
     * is none, {@code exit} hands the machine back to the firmware, which boots the disk.
     */
    public static final String GRUBNET_LOADER = "regexp --set=1:m1 --set=2:m2 --set=3:m3 --set=4:m4 --set=5:m5"
            + " --set=6:m6 '^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$'"
            + " \"$net_default_mac\"\n"
            + "configfile \"/grub.cfg-01-$m1-$m2-$m3-$m4-$m5-$m6\"\n"
            + "exit\n";

    @Override
    public boolean supports(BootClient client) {
        int a = client.architecture();
        return (a == BootClient.ARCH_EFI_IA32 || a == BootClient.ARCH_EFI_X86_64 || a == BootClient.ARCH_EFI_BC)
                && !client.isIpxe();
    }

    @Override
    public Optional<BootResponse> respond(BootClient client, BootIntent intent) {
        String bootFile = client.architecture() == BootClient.ARCH_EFI_IA32 ? "grubia32.efi" : "grubx64.efi";
        String config;
        if (intent instanceof BootIntent.DeployOsBoot d) {
            DeployOs os = d.deployOs();
            config = linux("Deploy-OS " + os.id(), os.kernel(), os.initrd(), os.bootArguments());
        } else if (intent instanceof BootIntent.OsInstaller o && (isUrl(o.kernel()) || isUrl(o.initrd()))) {
            return Optional.empty(); // GRUB fetches from the TFTP root only: iPXE takes installers on a web server
        } else if (intent instanceof BootIntent.OsInstaller o) {
            config = linux("OS installer", o.kernel(), o.initrd(), o.bootArguments());
        } else if (intent instanceof BootIntent.RegistrationMenu m) {
            config = registrationMenu(m);
        } else if (intent instanceof BootIntent.LocalDisk) {
            config = "set timeout=0\nmenuentry 'Local Boot' {\n  exit\n}\n";
        } else if (intent instanceof BootIntent.EfiApplication a) {
            config = "set timeout=0\nmenuentry " + quote("EFI application " + a.application()) + " {\n  chainloader "
                    + quote(path(a.application())) + (a.arguments().isBlank()
                            ? ""
                            : " "
                                    + a.arguments().replaceAll("[\\r\\n]+", " ").trim())
                    + "\n}\n";
        } else {
            return Optional.empty(); // an intent this protocol cannot carry out: the core asks the next
        }
        return Optional.of(new BootResponse(bootFile, Map.of(configPath(client.mac()), config)));
    }

    static String configPath(String mac) {
        return "grub.cfg-01-" + mac.toLowerCase(Locale.ROOT).replace(':', '-');
    }

    private static String linux(String title, String kernel, String initrd, String arguments) {
        StringBuilder b = new StringBuilder("set timeout=0\n");
        b.append("menuentry ").append(quote(title)).append(" {\n");
        b.append("  linux ").append(quote(path(kernel)));
        if (!arguments.isBlank()) {
            // Arguments stay separate words for the kernel; only line breaks, which would end the command, go.
            b.append(' ').append(arguments.replaceAll("[\\r\\n]+", " ").trim());
        }
        b.append('\n');
        if (!initrd.isBlank()) {
            b.append("  initrd ").append(quote(path(initrd))).append('\n');
        }
        return b.append("}\n").toString();
    }

    private static String registrationMenu(BootIntent.RegistrationMenu m) {
        StringBuilder b = new StringBuilder();
        b.append("set default=poweroff\n");
        b.append("set timeout=").append(m.powerOffSeconds()).append('\n');
        b.append("set timeout_style=countdown\n");
        for (String line : m.message().split("\\R")) {
            b.append("echo ").append(quote(line)).append('\n');
        }
        b.append("menuentry 'Power Down' --id poweroff {\n  halt\n}\n");
        b.append("menuentry 'Local Boot' --id local {\n  exit\n}\n");
        return b.toString();
    }

    /** Paths are below the TFTP root, which is GRUB's {@code $root} on network boot. */
    private static String path(String p) {
        return p.startsWith("/") ? p : "/" + p;
    }

    /** GRUB single quotes: nothing is special inside; a quote itself is closed, escaped and reopened. */
    private static String quote(String s) {
        return "'" + s.replaceAll("[\\r\\n]+", " ").replace("'", "'\\''") + "'";
    }

    private static boolean isUrl(String path) {
        return path.regionMatches(true, 0, "http://", 0, 7) || path.regionMatches(true, 0, "https://", 0, 8);
    }
}
