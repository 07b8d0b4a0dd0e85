package org.opendpm.plugin.boot.pxeuefi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

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
        BootResponse r = protocol.respond(BootClients.uefi(MAC), new BootIntent.LocalDisk());
        assertThat(r.bootFile()).isEqualTo("grubx64.efi");
        assertThat(r.generatedFiles()).containsOnlyKeys(CFG);
        assertThat(r.generatedFiles().get(CFG)).contains("set timeout=0\n", "  exit\n");
    }

    @Test
    public void ia32GetsItsOwnGrub() {
        BootClient ia32 = new BootClient(MAC, Optional.empty(), BootClient.ARCH_EFI_IA32, Optional.empty());
        assertThat(protocol.respond(ia32, new BootIntent.LocalDisk()).bootFile()).isEqualTo("grubia32.efi");
    }

    @Test
    public void deployOsLinuxAndInitrdFromTheRoot() {
        DeployOs os = new DeployOs("x64_1", "deployos/x64_1/vmlinuz", "deployos/x64_1/initrd.img", "quiet\nreboot",
                List.of("x86_64"));
        String cfg = protocol.respond(BootClients.uefi(MAC), new BootIntent.DeployOsBoot(os)).generatedFiles().get(CFG);
        assertThat(cfg).contains("menuentry 'Deploy-OS x64_1' {\n", "  linux '/deployos/x64_1/vmlinuz' quiet reboot\n",
                "  initrd '/deployos/x64_1/initrd.img'\n");
    }

    @Test
    public void registrationMenuCountsDownToPowerOff() {
        String cfg = protocol.respond(BootClients.uefi(MAC),
                new BootIntent.RegistrationMenu("Registered, it's new.\nPress F8 to view menu.", 30)).generatedFiles()
                .get(CFG);
        assertThat(cfg).contains("set default=poweroff\n", "set timeout=30\n", "echo 'Registered, it'\\''s new.'\n",
                "echo 'Press F8 to view menu.'\n", "menuentry 'Power Down' --id poweroff {\n  halt\n}\n",
                "menuentry 'Local Boot' --id local {\n  exit\n}\n");
    }
}
