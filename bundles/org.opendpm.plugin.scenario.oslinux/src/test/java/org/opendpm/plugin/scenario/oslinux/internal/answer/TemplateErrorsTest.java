package org.opendpm.plugin.scenario.oslinux.internal.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.os.MachineInstall;
import org.opendpm.api.os.OperatingSystem;
import org.opendpm.api.os.OperatingSystemSpec;
import org.opendpm.api.os.OsType;

/** OSI-2: templates an administrator edits, refused with the line at fault; batch and offline answer files. */
public class TemplateErrorsTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static final String HASH = "$6$0123456789abcdef$" + "x".repeat(86);

    private AnswerFixture fixture() throws Exception {
        return new AnswerFixture(tmp.getRoot().toPath());
    }

    private static MachineInstall install(long machine) {
        return new MachineInstall(machine, "sda", HASH, MachineInstall.Network.DHCP, Optional.empty());
    }

    private static OperatingSystem debian(AnswerFixture f) {
        return f.systems.create(new OperatingSystemSpec("Debian12", OsType.DEBIAN_12, "pxelinux/d/linux",
                "pxelinux/d/initrd.gz", "d"));
    }

    @Test
    public void theShippedTemplatesAreCopiedOnceAndAnAdministratorsEditIsKept() throws Exception {
        AnswerFixture f = fixture();
        Path file = f.templates.folder().resolve("debian-12.ftl");
        assertThat(file).exists();
        Files.writeString(file, "# mine for ${machine.name}\n");
        assertThat(f.templates.installDefaults()).isZero();
        assertThat(Files.readString(file)).isEqualTo("# mine for ${machine.name}\n");
        assertThat(f.answers.render(debian(f).id(), install(f.machineId)).content()).isEqualTo("# mine for Web_01\n");
        // Every shipped template is checked by checkTemplate too.
        for (OsType t : List.of(OsType.DEBIAN_12, OsType.RHEL_7, OsType.RHEL_8, OsType.RHEL_9, OsType.UBUNTU_22_04,
                OsType.UBUNTU_24_04)) {
            f.answers.checkTemplate(t);
        }
    }

    @Test
    public void anUnknownVariableIsRefusedWithItsLine() throws Exception {
        AnswerFixture f = fixture();
        Files.writeString(f.templates.folder().resolve("debian-12.ftl"),
                "d-i netcfg/get_hostname string ${machine.hostname}\n\nd-i foo string ${machine.colour}\n");
        OperatingSystem os = debian(f);
        assertThatThrownBy(() -> f.answers.render(os.id(), install(f.machineId)))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("template"))
                .hasMessageContaining("debian-12.ftl line 3 uses machine.colour, which is not defined");
        assertThatThrownBy(() -> f.answers.checkTemplate(OsType.DEBIAN_12)).hasMessageContaining("line 3");
        Path out = tmp.getRoot().toPath().resolve("offline");
        assertThatThrownBy(() -> f.answers.write(os.id(), List.of(install(f.machineId)), out))
                .isInstanceOf(ValidationException.class);
        assertThat(out).doesNotExist();
    }

    @Test
    public void aTemplateThatDoesNotParseIsRefusedWithItsLine() throws Exception {
        AnswerFixture f = fixture();
        Files.writeString(f.templates.folder().resolve("rhel-9.ftl"), "text\n<#if network.dhcp>\nnetwork\n");
        assertThatThrownBy(() -> f.answers.checkTemplate(OsType.RHEL_9))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("template"))
                .hasMessageContaining("rhel-9.ftl line ").hasMessageContaining("does not parse");
        Files.writeString(f.templates.folder().resolve("rhel-9.ftl"), "text\n${machine.name?foo}\n");
        assertThatThrownBy(() -> f.answers.checkTemplate(OsType.RHEL_9)).hasMessageContaining("rhel-9.ftl line 2");
    }

    @Test
    public void templatesCannotReachJavaClasses() throws Exception {
        AnswerFixture f = fixture();
        Files.writeString(f.templates.folder().resolve("rhel-9.ftl"),
                "<#assign ex = \"freemarker.template.utility.Execute\"?new()>${ex(\"id\")}\n");
        assertThatThrownBy(() -> f.answers.checkTemplate(OsType.RHEL_9)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("line 1");
    }

    @Test
    public void aTypeWithoutATemplateSaysWhichFileIsMissing() throws Exception {
        AnswerFixture f = fixture();
        assertThatThrownBy(() -> f.answers.checkTemplate(OsType.XENSERVER))
                .hasMessageContaining("xenserver.ftl does not exist");
    }

    @Test
    public void batchAndOfflineAnswerFilesAreWrittenPerMachine() throws Exception {
        AnswerFixture f = fixture();
        OperatingSystem os = debian(f);
        assertThat(f.answers.render(os.id(), List.of(install(f.machineId), install(f.otherMachineId))))
                .extracting(a -> a.machineName()).containsExactly("Web_01", "db 02");
        Path out = tmp.getRoot().toPath().resolve("offline");
        List<Path> written = f.answers.write(os.id(), List.of(install(f.machineId), install(f.otherMachineId)), out);
        assertThat(written).containsExactly(out.resolve("Web_01/preseed.cfg"), out.resolve("db_02/preseed.cfg"));
        assertThat(Files.readString(written.get(1))).contains("get_hostname string db-02");
        // A machine that does not exist fails the batch before anything is written.
        Path out2 = tmp.getRoot().toPath().resolve("offline2");
        assertThatThrownBy(() -> f.answers.write(os.id(), List.of(install(f.machineId), install(99)), out2))
                .isInstanceOf(NotFoundException.class);
        assertThat(out2).doesNotExist();
    }

    @Test
    public void aStaticNetworkNeedsTheMachinesAddressAndValidValues() throws Exception {
        AnswerFixture f = fixture();
        OperatingSystem os = debian(f);
        MachineInstall.Network fixed = new MachineInstall.Network(false, Optional.of("255.255.255.0"),
                Optional.of("192.0.2.1"), Optional.of("192.0.2.53"));
        assertThatThrownBy(() -> f.answers.render(os.id(), new MachineInstall(f.otherMachineId, "sda", HASH, fixed,
                Optional.empty()))).hasMessageContaining("db 02 has no IP address");
        MachineInstall.Network badMask = new MachineInstall.Network(false, Optional.of("255.0.255.0"),
                Optional.of("192.0.2.1"), Optional.of("192.0.2.53"));
        assertThatThrownBy(() -> f.answers.render(os.id(), new MachineInstall(f.machineId, "sda", HASH, badMask,
                Optional.empty()))).isInstanceOfSatisfying(ValidationException.class,
                        e -> assertThat(e.field()).isEqualTo("network.netmask"));
        assertThatThrownBy(() -> f.answers.render(os.id(), new MachineInstall(f.machineId, "sda", "secret",
                MachineInstall.Network.DHCP, Optional.empty()))).isInstanceOfSatisfying(ValidationException.class,
                        e -> assertThat(e.field()).isEqualTo("rootPasswordHash"));
        assertThatThrownBy(() -> f.answers.render(os.id(), new MachineInstall(f.machineId, "/dev/sda", HASH,
                MachineInstall.Network.DHCP, Optional.empty()))).isInstanceOfSatisfying(ValidationException.class,
                        e -> assertThat(e.field()).isEqualTo("disk"));
    }
}
