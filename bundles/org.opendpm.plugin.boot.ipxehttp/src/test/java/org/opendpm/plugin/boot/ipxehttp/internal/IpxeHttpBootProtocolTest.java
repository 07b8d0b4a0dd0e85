package org.opendpm.plugin.boot.ipxehttp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.Test;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.BootResponse;
import org.opendpm.spi.DeployOs;
import org.opendpm.spi.testkit.BootClients;

public class IpxeHttpBootProtocolTest {

    private static final String MAC = "52:54:00:ab:cd:03";
    private static final String SCRIPT = "ipxe-01-52-54-00-ab-cd-03.ipxe";
    private final IpxeHttpBootProtocol protocol = new IpxeHttpBootProtocol();

    private String script(BootIntent intent) {
        BootResponse r = protocol.respond(BootClients.ipxe(MAC, BootClient.ARCH_BIOS), intent).orElseThrow();
        assertThat(r.bootFile()).isEqualTo(SCRIPT);
        assertThat(r.generatedFiles()).containsOnlyKeys(SCRIPT);
        String s = r.generatedFiles().get(SCRIPT);
        assertThat(s).startsWith("#!ipxe\n");
        return s;
    }

    @Test
    public void supportsIpxeOfAnyArchitectureAndUefiHttp() {
        assertThat(protocol.supports(BootClients.ipxe(MAC, BootClient.ARCH_BIOS))).isTrue();
        assertThat(protocol.supports(BootClients.ipxe(MAC, BootClient.ARCH_EFI_X86_64))).isTrue();
        assertThat(protocol.supports(BootClients.uefiHttp(MAC))).isTrue();
        assertThat(protocol.supports(BootClients.bios(MAC))).isFalse();
        assertThat(protocol.supports(BootClients.uefi(MAC))).isFalse();
    }

    @Test
    public void uefiHttpFirmwareFirstLoadsIpxe() {
        BootResponse r = protocol.respond(BootClients.uefiHttp(MAC), new BootIntent.LocalDisk()).orElseThrow();
        assertThat(r.bootFile()).isEqualTo("ipxe.efi");
        assertThat(r.generatedFiles()).isEmpty();
    }

    @Test
    public void localDiskSanbootsOnBiosAndExitsOnUefi() {
        assertThat(script(new BootIntent.LocalDisk()))
                .contains("iseq ${platform} pcbios && sanboot --no-describe --drive 0x80 ||\nexit\n");
    }

    @Test
    public void deployOsKernelInitrdBoot() {
        DeployOs os = new DeployOs("x64_1", "deployos/x64_1/vmlinuz", "deployos/x64_1/initrd.img", "quiet", List.of());
        assertThat(script(new BootIntent.DeployOsBoot(os))).endsWith(
                "kernel deployos/x64_1/vmlinuz initrd=initrd.img quiet\ninitrd deployos/x64_1/initrd.img\nboot\n");
    }

    @Test
    public void installerWithoutInitrd() {
        assertThat(script(new BootIntent.OsInstaller("inst/linux", "", "auto url=http://x/preseed")))
                .endsWith("kernel inst/linux auto url=http://x/preseed\nboot\n").doesNotContain("initrd");
    }

    @Test
    public void registrationMenuWaitsForF8ThenOffersPowerDownAndLocalBootAndPowersOffAfter30s() {
        String s = script(new BootIntent.RegistrationMenu(
                "This computer has been just registered by the management server.\nPress F8 to view menu. ${evil}",
                30));
        assertThat(s).contains("echo This computer has been just registered by the management server.\n",
                "prompt --key 0x147e --timeout 30000 Press F8 to view menu. {evil} (30) && goto menu || goto poweroff\n",
                "item poweroff Power Down\n", "item local Local Boot\n",
                "choose --timeout 30000 --default poweroff selected || goto poweroff\n", "goto ${selected}\n",
                ":local\niseq ${platform} pcbios && sanboot --no-describe --drive 0x80 ||\nexit\n",
                ":poweroff\npoweroff || exit\n");
    }

    @Test
    public void aFloppyImageIsChainLoadedThroughMemdiskOnBiosOnly() {
        BootIntent floppy = new BootIntent.MemdiskFloppy("memdisk", "hws/bios-2.1.img");
        assertThat(script(floppy)).endsWith("kernel memdisk initrd=bios-2.1.img floppy\ninitrd hws/bios-2.1.img\n"
                + "boot\n");
        assertThat(protocol.respond(BootClients.ipxe(MAC, BootClient.ARCH_EFI_X86_64), floppy)).isEmpty();
    }

    @Test
    public void anEfiApplicationIsChainedOnUefiOnly() {
        BootIntent app = new BootIntent.EfiApplication("hws/fwupdate.efi", "-y ${x}");
        String s = protocol.respond(BootClients.ipxe(MAC, BootClient.ARCH_EFI_X86_64), app).orElseThrow()
                .generatedFiles().get(SCRIPT);
        assertThat(s).endsWith("chain hws/fwupdate.efi -y {x}\n");
        assertThat(protocol.respond(BootClients.ipxe(MAC, BootClient.ARCH_BIOS), app)).isEmpty();
    }

    @Test
    public void anInstallerOnAWebServerIsFetchedFromThere() {
        assertThat(script(new BootIntent.OsInstaller("http://repo/d-i/linux", "http://repo/d-i/initrd.gz",
                "auto=true url=http://10.0.0.1/preseed.cfg"))).endsWith("kernel http://repo/d-i/linux initrd=initrd.gz"
                        + " auto=true url=http://10.0.0.1/preseed.cfg\ninitrd http://repo/d-i/initrd.gz\nboot\n");
    }
}
