package org.opendpm.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;
import org.opendpm.api.boot.BootStatus;
import org.opendpm.api.boot.MachineBootIntent;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.api.boot.ServerPorts;

public class BootCommandsTest {

    @Test
    public void eachIntentFromItsWords() {
        assertThat(BootCommands.intent("local-disk", null, null, null, null, false))
                .isEqualTo(NextBoot.localDisk(false));
        assertThat(BootCommands.intent("deploy-os", "ia32_150413_26", null, null, null, true))
                .isEqualTo(NextBoot.deployOs(Optional.of("ia32_150413_26"), true));
        assertThat(BootCommands.intent("os-installer", null, "pxelinux/r9/vmlinuz", "pxelinux/r9/initrd.img",
                "inst.ks=x", false)).isEqualTo(NextBoot.osInstaller("pxelinux/r9/vmlinuz", "pxelinux/r9/initrd.img",
                        "inst.ks=x", false));
        assertThat(BootCommands.intent("memdisk-floppy", null, "memdisk", "hws/a.img", null, true))
                .isEqualTo(NextBoot.memdiskFloppy("memdisk", "hws/a.img", true));
        assertThat(BootCommands.intent("efi-application", null, "hws/fw.efi", null, "-y", true))
                .isEqualTo(NextBoot.efiApplication("hws/fw.efi", "-y", true));
    }

    @Test
    public void wrongWordsAndOptionsAreNamed() {
        assertThatThrownBy(() -> BootCommands.intent("network", null, null, null, null, false))
                .hasMessageContaining("Unknown intent 'network'").hasMessageContaining("os-installer");
        assertThatThrownBy(() -> BootCommands.intent("os-installer", null, null, null, null, false))
                .hasMessageContaining("--kernel");
        assertThatThrownBy(() -> BootCommands.intent("local-disk", null, "vmlinuz", null, null, false))
                .hasMessage("--kernel does not apply to local-disk");
        assertThatThrownBy(() -> BootCommands.intent("os-installer", "ia32", "vmlinuz", null, null, false))
                .hasMessage("--deploy-os does not apply to os-installer");
        assertThatThrownBy(() -> BootCommands.intent("memdisk-floppy", null, "memdisk", null, null, false))
                .hasMessageContaining("--initrd");
        assertThatThrownBy(() -> BootCommands.intent("efi-application", null, "a.efi", "b.img", null, false))
                .hasMessage("--initrd does not apply to efi-application");
    }

    @Test
    public void describeAndStatusShowWhatMatters() {
        assertThat(BootCommands.describe(new MachineBootIntent(7, NextBoot.osInstaller("k", "i", "a b", true),
                "alice", Instant.parse("2026-03-01T10:00:00Z")))).isEqualTo(
                        "OS_INSTALLER kernel=k initrd=i append=\"a b\", one-shot, set by alice at 2026-03-01T10:00:00Z");
        String s = BootCommands.format(new BootStatus(new BootStatus.Tftp(true, 1, 3, 2, 0, 1024, 0, 0,
                Map.of("file_not_found", 1L, "access_violation", 0L)),
                new BootStatus.Pxe(false, 0, Map.of(),
                        Map.of()),
                2, 4, 1, ServerPorts.DEFAULTS));
        assertThat(s).contains("TFTP:  running, in flight 1, started 3, completed 2, failed 0, bytes sent 1024")
                .contains("errors: file_not_found 1").doesNotContain("access_violation")
                .contains("PXE:   stopped").contains("clients seen 2, decisions 4, HTTP boot requests 1")
                .contains("Ports: FTUnicast TCP 26508, agent TCP 26509 26510 26520, agent UDP 26529 68");
    }
}
