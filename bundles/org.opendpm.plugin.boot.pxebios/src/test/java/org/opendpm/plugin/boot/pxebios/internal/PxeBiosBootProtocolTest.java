package org.opendpm.plugin.boot.pxebios.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.Test;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.BootResponse;
import org.opendpm.spi.DeployOs;
import org.opendpm.spi.testkit.BootClients;

public class PxeBiosBootProtocolTest {

    private static final String MAC = "52:54:00:AB:cd:01";
    private static final String CFG = "pxelinux.cfg/01-52-54-00-ab-cd-01";
    private final PxeBiosBootProtocol protocol = new PxeBiosBootProtocol();

    @Test
    public void supportsPlainBiosPxeOnly() {
        assertThat(protocol.supports(BootClients.bios(MAC))).isTrue();
        assertThat(protocol.supports(BootClients.ipxe(MAC, 0))).isFalse();
        assertThat(protocol.supports(BootClients.uefi(MAC))).isFalse();
        assertThat(protocol.supports(BootClients.uefiHttp(MAC))).isFalse();
    }

    @Test
    public void localDisk() {
        BootResponse r = protocol.respond(BootClients.bios(MAC), new BootIntent.LocalDisk()).orElseThrow();
        assertThat(r.bootFile()).isEqualTo("pxelinux.0");
        assertThat(r.generatedFiles()).containsOnlyKeys(CFG);
        assertThat(r.generatedFiles().get(CFG)).isEqualTo("DEFAULT local\nLABEL local\n  LOCALBOOT 0\n");
    }

    @Test
    public void deployOsBootsItsKernelAndInitrd() {
        DeployOs os = new DeployOs("ia32_110331_26", "deployos/ia32_110331_26/vmlinuz",
                "deployos/ia32_110331_26/initrd.img", "quiet\nDEFAULT evil", List.of("i386"));
        String cfg = protocol.respond(BootClients.bios(MAC), new BootIntent.DeployOsBoot(os)).orElseThrow()
                .generatedFiles().get(CFG);
        assertThat(cfg).contains("DEFAULT deployos\n", "  KERNEL deployos/ia32_110331_26/vmlinuz\n",
                "  APPEND initrd=deployos/ia32_110331_26/initrd.img quiet DEFAULT evil\n");
        assertThat(cfg.lines().filter(l -> l.startsWith("DEFAULT"))).hasSize(1);
    }

    @Test
    public void installerWithoutInitrd() {
        String cfg = protocol
                .respond(BootClients.bios(MAC), new BootIntent.OsInstaller("inst/linux", "", "ks=http://x/ks"))
                .orElseThrow()
                .generatedFiles().get(CFG);
        assertThat(cfg).contains("  KERNEL inst/linux\n", "  APPEND ks=http://x/ks\n").doesNotContain("initrd=");
    }

    @Test
    public void registrationMenuShowsTheMessageAndPowersOffAfterThirtySeconds() {
        String cfg = protocol.respond(BootClients.bios(MAC), new BootIntent.RegistrationMenu(
                "This computer has been just registered by the management server.\nPress F8 to view menu.", 30))
                .orElseThrow()
                .generatedFiles().get(CFG);
        assertThat(cfg).contains("UI menu.c32\n", "MENU HIDDEN\n",
                "MENU AUTOBOOT This computer has been just registered by the management server. Press F8 to view menu. (#)\n",
                "TIMEOUT 300\n", "DEFAULT poweroff\n", "MENU LABEL Power Down\n  COM32 poweroff.c32\n",
                "MENU LABEL Local Boot\n  LOCALBOOT 0\n");
    }

    @Test
    public void anIntentItCannotCarryOutIsDeclinedNotTurnedIntoALocalBoot() {
        assertThat(protocol.respond(BootClients.bios(MAC), new BootIntent.EfiApplication("fw/update.efi", "")))
                .isEmpty();
    }

    @Test
    public void aFloppyImageGoesThroughMemdiskAndAnEfiApplicationIsLeftToAnotherProtocol() {
        String cfg = protocol.respond(BootClients.bios(MAC), new BootIntent.MemdiskFloppy("memdisk", "hws/bios.img"))
                .orElseThrow().generatedFiles().get(CFG);
        assertThat(cfg).contains("DEFAULT floppy\n", "  KERNEL memdisk\n", "  APPEND initrd=hws/bios.img floppy\n");
        assertThat(protocol.respond(BootClients.bios(MAC), new BootIntent.EfiApplication("x.efi", ""))).isEmpty();
    }

    @Test
    public void anInstallerOnAWebServerIsLeftToIpxe() {
        assertThat(protocol.respond(BootClients.bios(MAC), new BootIntent.OsInstaller("http://repo/d-i/linux",
                "http://repo/d-i/initrd.gz", "auto=true"))).isEmpty();
    }
}
