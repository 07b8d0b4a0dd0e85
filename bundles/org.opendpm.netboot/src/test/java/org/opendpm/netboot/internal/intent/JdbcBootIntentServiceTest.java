package org.opendpm.netboot.internal.intent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.junit.Test;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.boot.MachineBootIntent;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.api.boot.NextBootKind;

public class JdbcBootIntentServiceTest {

    private final IntentFixture f = new IntentFixture();

    public JdbcBootIntentServiceTest() {
        f.machine(7, "web01", "52:54:00:00:00:07");
        f.machine(8, "web02", "52:54:00:00:00:08");
    }

    @Test
    public void eachKindIsStoredAndReadBackWithWhoAndWhen() {
        assertThat(f.service.get(7)).isEmpty();

        MachineBootIntent set = f.service.set(7, NextBoot.osInstaller("pxelinux/rhel9/vmlinuz",
                "pxelinux/rhel9/initrd.img", "inst.ks=http://10.0.0.1/ks/web01.cfg ip=dhcp", true), "alice");
        assertThat(set.setAt()).isEqualTo("2026-03-01T10:00:00.123Z"); // kept at millisecond precision
        assertThat(f.service.get(7)).hasValue(set);

        f.service.set(8, NextBoot.deployOs(Optional.empty(), false), "scheduler");
        assertThat(f.service.get(8).orElseThrow().intent()).isEqualTo(new NextBoot(NextBootKind.DEPLOY_OS,
                Optional.empty(), "", "", "", false));
        f.advance(5);
        MachineBootIntent pinned = f.service.set(8, NextBoot.deployOs(Optional.of("ia32_150413_26"), true), "bob");
        assertThat(f.service.get(8)).hasValue(pinned);
        assertThat(pinned.intent().deployOs()).hasValue("ia32_150413_26");
        assertThat(f.rows()).isEqualTo(2);

        // Chain-loading (HWS-1): memdisk with a floppy image, an EFI application with its command line.
        f.service.set(7, NextBoot.memdiskFloppy("memdisk", "hws/bios-2.1.img", true), "hws");
        assertThat(f.service.get(7).orElseThrow().intent()).isEqualTo(new NextBoot(NextBootKind.MEMDISK_FLOPPY,
                Optional.empty(), "memdisk", "hws/bios-2.1.img", "", true));
        f.service.set(7, NextBoot.efiApplication("hws/fwupdate.efi", "-y -f fw.cap", true), "hws");
        assertThat(f.service.get(7).orElseThrow().intent()).isEqualTo(new NextBoot(NextBootKind.EFI_APPLICATION,
                Optional.empty(), "hws/fwupdate.efi", "", "-y -f fw.cap", true));
    }

    @Test
    public void replacingAndClearing() {
        MachineBootIntent first = f.service.set(7, NextBoot.localDisk(false), "alice");
        f.advance(1);
        MachineBootIntent second = f.service.set(7, NextBoot.deployOs(Optional.empty(), true), "scheduler");
        assertThat(f.service.get(7)).hasValue(second);
        assertThat(f.rows()).isEqualTo(1);

        // The older intent is gone: clearing by its time removes nothing; by the current one it goes.
        assertThat(f.service.clearIfSetAt(7, first.setAt())).isFalse();
        assertThat(f.service.get(7)).hasValue(second);
        assertThat(f.service.clearIfSetAt(7, second.setAt())).isTrue();
        assertThat(f.service.get(7)).isEmpty();

        f.service.set(7, NextBoot.localDisk(true), "alice");
        assertThat(f.service.clear(7)).isTrue();
        assertThat(f.service.clear(7)).isFalse();
    }

    @Test
    public void anIntentGoesWithItsMachine() {
        f.service.set(7, NextBoot.localDisk(false), "alice");
        f.service.set(8, NextBoot.localDisk(false), "alice");
        f.deleteMachine(7);
        assertThat(f.rows()).isEqualTo(1);
        assertThatThrownBy(() -> f.service.get(7)).isInstanceOf(NotFoundException.class).hasMessageContaining("7");
    }

    @Test
    public void unknownMachinesAreNotFound() {
        assertThatThrownBy(() -> f.service.get(99)).isInstanceOf(NotFoundException.class)
                .hasMessage("Machine 99 does not exist");
        assertThatThrownBy(() -> f.service.set(99, NextBoot.localDisk(false), "alice"))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> f.service.clear(99)).isInstanceOf(NotFoundException.class);
        assertThat(f.rows()).isZero();
    }

    @Test
    public void badIntentsNameTheirFieldAndStoreNothing() {
        assertField(null, "alice", "kind");
        assertField(NextBoot.localDisk(false), " ", "setBy");
        assertField(NextBoot.localDisk(false), "a\nb", "setBy");
        assertField(NextBoot.osInstaller("", "initrd", "", false), "alice", "kernel");
        assertField(NextBoot.osInstaller("../etc/shadow", "", "", false), "alice", "kernel");
        assertField(NextBoot.osInstaller("/abs/vmlinuz", "", "", false), "alice", "kernel");
        assertField(NextBoot.osInstaller("pxelinux/a/vmlinuz", "pxelinux/a/../../x", "", false), "alice", "initrd");
        assertField(NextBoot.osInstaller("pxelinux/a/vmlinuz", "", "ks=x\nMENU HIDDEN", false), "alice",
                "bootArguments");
        assertField(NextBoot.osInstaller("pxelinux/a/vmlinuz", "", "x".repeat(2049), false), "alice",
                "bootArguments");
        assertField(new NextBoot(NextBootKind.LOCAL_DISK, Optional.empty(), "vmlinuz", "", "", false), "alice",
                "kernel");
        assertField(new NextBoot(NextBootKind.DEPLOY_OS, Optional.empty(), "", "", "quiet", false), "alice",
                "bootArguments");
        assertField(new NextBoot(NextBootKind.LOCAL_DISK, Optional.of("ia32_110331_26"), "", "", "", false),
                "alice", "deployOs");
        assertField(NextBoot.deployOs(Optional.of("ia32 110331"), false), "alice", "deployOs");
        assertField(NextBoot.osInstaller("ftp://repo/linux", "", "", false), "alice", "kernel");
        assertField(NextBoot.osInstaller("http:///linux", "", "", false), "alice", "kernel");
        assertField(NextBoot.osInstaller("http://repo/linux", "http://repo/in itrd", "", false), "alice", "initrd");
        assertField(NextBoot.osInstaller("http://repo/${x}/linux", "", "", false), "alice", "kernel");
        assertField(NextBoot.memdiskFloppy("memdisk", "", false), "alice", "initrd");
        assertField(NextBoot.memdiskFloppy("", "hws/a.img", false), "alice", "kernel");
        assertField(NextBoot.memdiskFloppy("memdisk", "../a.img", false), "alice", "initrd");
        assertField(new NextBoot(NextBootKind.MEMDISK_FLOPPY, Optional.empty(), "memdisk", "a.img", "raw", false),
                "alice", "bootArguments");
        assertField(new NextBoot(NextBootKind.EFI_APPLICATION, Optional.empty(), "a.efi", "b.img", "", false),
                "alice", "initrd");
        assertField(NextBoot.efiApplication("a.efi", "x\nset", false), "alice", "bootArguments");
        assertThat(f.rows()).isZero();

        // Beside the bad ones, the limits themselves are accepted, and an installer on a web server.
        f.service.set(8,
                NextBoot.osInstaller("http://repo.example.org/d-i/linux", "https://repo.example.org/d-i/initrd.gz",
                        "auto=true", false),
                "alice");
        f.service.set(7, NextBoot.osInstaller("pxelinux/a/vmlinuz", "", "x".repeat(2048), false), "alice");
        assertThat(f.rows()).isEqualTo(2);
    }

    private void assertField(NextBoot intent, String setBy, String field) {
        assertThatThrownBy(() -> f.service.set(7, intent, setBy)).isInstanceOfSatisfying(ValidationException.class,
                e -> assertThat(e.field()).isEqualTo(field));
    }
}
