package org.opendpm.plugin.boot.pxeuefi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.BootResponse;
import org.opendpm.spi.DeployOs;
import org.opendpm.spi.testkit.BootClients;

public class PxeUefiBootProtocolTest {

    private static final String MAC = "52:54:00:ab:cd:02";
    private static final String CFG = "grub.cfg-01-52-54-00-ab-cd-02";
    private final PxeUefiBootProtocol protocol = new PxeUefiBootProtocol();

    @Test
    public void supportsUefiPxeButNotIpxeBiosOrHttp() {
        assertThat(protocol.supports(BootClients.uefi(MAC))).isTrue();
        assertThat(protocol.supports(new BootClient(MAC, Optional.empty(), BootClient.ARCH_EFI_BC, Optional.empty())))
                .isTrue();
        assertThat(protocol.supports(BootClients.ipxe(MAC, BootClient.ARCH_EFI_X86_64))).isFalse();
        assertThat(protocol.supports(BootClients.bios(MAC))).isFalse();
        assertThat(protocol.supports(BootClients.uefiHttp(MAC))).isFalse();
    }

    @Test
    public void localDiskExitsToTheFirmware() {
        BootResponse r = protocol.respond(BootClients.uefi(MAC), new BootIntent.LocalDisk()).orElseThrow();
        assertThat(r.bootFile()).isEqualTo("grubx64.efi");
        assertThat(r.generatedFiles()).containsOnlyKeys(CFG);
        assertThat(r.generatedFiles().get(CFG)).contains("set timeout=0\n", "  exit\n");
    }

    @Test
    public void ia32GetsItsOwnGrub() {
        BootClient ia32 = new BootClient(MAC, Optional.empty(), BootClient.ARCH_EFI_IA32, Optional.empty());
        assertThat(protocol.respond(ia32, new BootIntent.LocalDisk()).orElseThrow().bootFile())
                .isEqualTo("grubia32.efi");
    }

    @Test
    public void deployOsLinuxAndInitrdFromTheRoot() {
        DeployOs os = new DeployOs("x64_1", "deployos/x64_1/vmlinuz", "deployos/x64_1/initrd.img", "quiet\nreboot",
                List.of("x86_64"));
        String cfg = protocol.respond(BootClients.uefi(MAC), new BootIntent.DeployOsBoot(os)).orElseThrow()
                .generatedFiles().get(CFG);
        assertThat(cfg).contains("menuentry 'Deploy-OS x64_1' {\n", "  linux '/deployos/x64_1/vmlinuz' quiet reboot\n",
                "  initrd '/deployos/x64_1/initrd.img'\n");
    }

    @Test
    public void registrationMenuCountsDownToPowerOff() {
        String cfg = protocol.respond(BootClients.uefi(MAC),
                new BootIntent.RegistrationMenu("Registered, it's new.\nPress F8 to view menu.", 30)).orElseThrow()
                .generatedFiles()
                .get(CFG);
        assertThat(cfg).contains("set default=poweroff\n", "set timeout=30\n", "echo 'Registered, it'\\''s new.'\n",
                "echo 'Press F8 to view menu.'\n", "menuentry 'Power Down' --id poweroff {\n  halt\n}\n",
                "menuentry 'Local Boot' --id local {\n  exit\n}\n");
    }

    /**
     * NET-1: Debian's grubnetx64.efi reads only grub/grub.cfg; the loader there must name exactly the file we
     * generate, from GRUB's spelling of the MAC (lower case, colons). Runs the loader's own regular expression and
     * substitution on that spelling.
     */
    @Test
    public void grubnetLoaderNamesTheGeneratedFileForTheMac() {
        String generated = protocol.respond(BootClients.uefi("52:54:00:AB:CD:02"), new BootIntent.LocalDisk())
                .orElseThrow()
                .generatedFiles().keySet().iterator().next();
        assertThat(loaderTarget("52:54:00:ab:cd:02")).isEqualTo("/" + generated);
        assertThat(PxeUefiBootProtocol.GRUBNET_LOADER_PATH).isEqualTo("grub/grub.cfg");
        assertThat(PxeUefiBootProtocol.GRUBNET_LOADER).endsWith("\nexit\n");
    }

    @Test
    public void grubnetLoaderMatchesNoOtherSpellingAndThenExitsToTheDisk() {
        // An unexpected spelling leaves the variables empty: configfile fails, the next line is exit.
        assertThat(loaderTarget("52-54-00-ab-cd-02")).isNull();
        assertThat(loaderTarget("52:54:00:ab:cd")).isNull();
        assertThat(loaderTarget("52:54:00:ab:cd:02:03")).isNull();
    }

    /** The file the loader's configfile line names for GRUB's $net_default_mac, or null when its regexp fails. */
    private static String loaderTarget(String grubMac) {
        Matcher regexp = Pattern.compile("regexp (?:--set=\\d:m\\d )+'([^']+)' \"\\$net_default_mac\"\n")
                .matcher(PxeUefiBootProtocol.GRUBNET_LOADER);
        assertThat(regexp.find()).isTrue();
        Matcher mac = Pattern.compile(regexp.group(1)).matcher(grubMac);
        if (!mac.matches()) {
            return null;
        }
        Matcher configfile = Pattern.compile("configfile \"([^\"]+)\"\n").matcher(PxeUefiBootProtocol.GRUBNET_LOADER);
        assertThat(configfile.find()).isTrue();
        String target = configfile.group(1);
        for (int i = 1; i <= 6; i++) {
            target = target.replace("$m" + i, mac.group(i));
        }
        return target;
    }

    @Test
    public void anEfiApplicationIsChainLoadedAndAFloppyImageIsLeftToAnotherProtocol() {
        String cfg = protocol.respond(BootClients.uefi(MAC), new BootIntent.EfiApplication("hws/fw.efi", "-y\nx"))
                .orElseThrow().generatedFiles().get(CFG);
        assertThat(cfg).contains("menuentry 'EFI application hws/fw.efi' {\n", "  chainloader '/hws/fw.efi' -y x\n");
        assertThat(protocol.respond(BootClients.uefi(MAC), new BootIntent.MemdiskFloppy("memdisk", "f.img")))
                .isEmpty();
    }

    @Test
    public void anInstallerOnAWebServerIsLeftToIpxe() {
        assertThat(protocol.respond(BootClients.uefi(MAC), new BootIntent.OsInstaller("inst/linux",
                "HTTPS://repo/initrd.gz", ""))).isEmpty();
    }
}
