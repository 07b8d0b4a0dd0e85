package org.opendpm.plugin.scenario.oslinux.internal.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.os.AnswerFile;
import org.opendpm.api.os.AnswerFormat;
import org.opendpm.api.os.MachineInstall;
import org.opendpm.api.os.OperatingSystem;
import org.opendpm.api.os.OperatingSystemSpec;
import org.opendpm.api.os.OsType;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * OSI-2: every shipped template rendered for a sample machine, with DHCP and with a static address, and checked by
 * what reads it: a preseed by debconf's own parser ({@code debconf-set-selections -c}), a kickstart by the commands
 * and sections its Anaconda knows, an autoinstall as YAML with the keys Subiquity reads.
 */
public class ShippedTemplatesTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static final String HASH = "$6$0123456789abcdef$" + "x".repeat(86);

    @Test
    public void everyShippedTemplateRendersForASampleMachineAndIsValid() throws Exception {
        AnswerFixture f = new AnswerFixture(tmp.getRoot().toPath());
        int checked = 0;
        for (OsType type : OsType.values()) {
            if (!Files.exists(f.templates.folder().resolve(type.templateName()))) {
                continue;
            }
            OperatingSystem os = f.systems.create(new OperatingSystemSpec("OS-" + type.key(), type,
                    "pxelinux/" + type.key() + "/linux", "pxelinux/" + type.key() + "/initrd", type.key()));
            for (boolean dhcp : new boolean[]{ true, false }) {
                MachineInstall.Network network = dhcp
                        ? MachineInstall.Network.DHCP
                        : new MachineInstall.Network(false, Optional.of("255.255.255.0"), Optional.of("192.0.2.1"),
                                Optional.of("192.0.2.53"));
                AnswerFile file = f.answers.render(os.id(), new MachineInstall(f.machineId, "vda", HASH, network,
                        Optional.of("http://192.0.2.1:8181/opendpm/os/built/" + "T".repeat(43))));
                assertThat(file.fileName()).isEqualTo(type.answerFileName());
                assertThat(file.content()).contains("web-01", "/opendpm/os/built/" + "T".repeat(43));
                if (!dhcp) {
                    assertThat(file.content()).contains("192.0.2.10", "192.0.2.53");
                }
                String what = type.key() + (dhcp ? " (DHCP)" : " (static)");
                switch (type.format()) {
                case PRESEED -> checkPreseed(file.content(), what);
                case KICKSTART -> checkKickstart(type, file.content(), what);
                case AUTOINSTALL -> checkAutoinstall(file.content(), dhcp, what);
                default -> fail("no check for " + type.format());
                }
                checked++;
            }
        }
        assertThat(checked).as("templates checked").isEqualTo(2 * 6);
    }

    /** debconf's parser: a malformed line makes it fail, naming the line. */
    private void checkPreseed(String content, String what) throws Exception {
        assertThat(content).contains("d-i passwd/root-password-crypted password " + HASH,
                "d-i partman-auto/disk string /dev/vda", "d-i preseed/late_command string");
        String tool = "/usr/bin/debconf-set-selections";
        if (!Files.isExecutable(Path.of(tool))) {
            String message = "debconf-set-selections (Debian package debconf) is needed to check the preseed";
            if ("true".equals(System.getenv("CI"))) {
                fail(message);
            }
            System.err.println("SKIPPED the preseed check: " + message);
            return;
        }
        Path file = tmp.newFile().toPath();
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(tool, "-c", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(what + ": debconf-set-selections -c says " + out).isZero();
        assertThat(out).as(what).doesNotContain("warning", "error");
    }

    /** A broken preseed line is what debconf refuses: proof that the check above can fail. */
    @Test
    public void debconfRefusesABrokenPreseed() throws Exception {
        Path tool = Path.of("/usr/bin/debconf-set-selections");
        if (!Files.isExecutable(tool)) {
            if ("true".equals(System.getenv("CI"))) {
                fail("debconf-set-selections (Debian package debconf) is needed");
            }
            System.err.println("SKIPPED: debconf-set-selections is not installed");
            return;
        }
        Path file = tmp.newFile().toPath();
        Files.writeString(file, "d-i netcfg/get_hostname\n");
        Process p = new ProcessBuilder(tool.toString(), "-c", file.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
        assertThat(p.exitValue()).isNotZero();
    }

    /** Kickstart commands each Anaconda generation knows (pykickstart's handlers of RHEL 7, 8 and 9). */
    private static final Set<String> RHEL7_COMMANDS = Set.of("install", "text", "url", "lang", "keyboard", "timezone",
            "auth", "network", "rootpw", "selinux", "firewall", "ignoredisk", "zerombr", "clearpart", "autopart",
            "bootloader", "reboot");
    private static final Set<String> RHEL8_COMMANDS = Set.of("text", "url", "lang", "keyboard", "timezone",
            "network", "rootpw", "selinux", "firewall", "ignoredisk", "zerombr", "clearpart", "autopart",
            "bootloader", "reboot");

    private static void checkKickstart(OsType type, String content, String what) {
        Set<String> known = type == OsType.RHEL_7 ? RHEL7_COMMANDS : RHEL8_COMMANDS;
        String section = null;
        List<String> sections = new ArrayList<>();
        int line = 0;
        for (String raw : content.split("\n")) {
            line++;
            String l = raw.strip();
            if (section != null) {
                if (l.equals("%end")) {
                    section = null;
                }
                continue;
            }
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            if (l.startsWith("%")) {
                section = l.split("\\s+")[0];
                assertThat(section).as(what + " line " + line).isIn("%packages", "%post", "%pre");
                sections.add(section);
                continue;
            }
            String command = l.split("\\s+")[0];
            assertThat(known).as(what + " line " + line + ": " + l).contains(command);
            if (type != OsType.RHEL_7) {
                // Removed in RHEL 8: install (the default), auth (authselect), timezone --isUtc.
                assertThat(l).as(what + " line " + line).doesNotContain("--isUtc");
            }
        }
        assertThat(section).as(what + ": every section ends with %end").isNull();
        assertThat(sections).as(what).containsExactly("%packages", "%post");
        assertThat(content).contains("rootpw --iscrypted " + HASH, "ignoredisk --only-use=vda");
    }

    @SuppressWarnings("unchecked")
    private static void checkAutoinstall(String content, boolean dhcp, String what) {
        assertThat(content).as(what + ": cloud-init reads user-data starting so").startsWith("#cloud-config\n");
        Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(content);
        Map<String, Object> auto = (Map<String, Object>) ((Map<String, Object>) doc).get("autoinstall");
        assertThat(auto).as(what).containsKeys("version", "identity", "storage", "network", "late-commands");
        assertThat(auto.get("version")).isEqualTo(1);
        // Subiquity refuses unknown top-level keys of its schema.
        assertThat(Set.of("version", "locale", "keyboard", "timezone", "identity", "ssh", "network", "storage",
                "packages", "user-data", "late-commands", "early-commands", "apt", "source", "kernel",
                "refresh-installer", "interactive-sections", "updates", "shutdown", "drivers", "codecs", "oem",
                "snaps", "debconf-selections", "reporting", "error-commands", "active-directory", "ubuntu-pro",
                "proxy")).containsAll(auto.keySet());
        Map<String, Object> identity = (Map<String, Object>) auto.get("identity");
        assertThat(identity).containsEntry("hostname", "web-01").containsEntry("password", HASH)
                .containsKey("username");
        Map<String, Object> network = (Map<String, Object>) auto.get("network");
        assertThat(network.get("version")).isEqualTo(2);
        Map<String, Object> nic = (Map<String, Object>) ((Map<String, Object>) network.get("ethernets"))
                .get("primary");
        if (dhcp) {
            assertThat(nic).containsEntry("dhcp4", true);
        } else {
            assertThat((List<Object>) nic.get("addresses")).containsExactly("192.0.2.10/24");
        }
        List<Object> late = (List<Object>) auto.get("late-commands");
        assertThat(late.get(late.size() - 1).toString()).contains("/opendpm/os/built/");
    }

    @Test
    public void aTemplateWithoutItsOptionalPartsStillRendersOffline() throws IOException {
        AnswerFixture f = new AnswerFixture(tmp.getRoot().toPath());
        OperatingSystem os = f.systems.create(new OperatingSystemSpec("Debian12", OsType.DEBIAN_12,
                "pxelinux/d/linux", "pxelinux/d/initrd.gz", "d"));
        AnswerFile file = f.answers.render(os.id(), new MachineInstall(f.machineId, "sda", HASH,
                MachineInstall.Network.DHCP, Optional.empty()));
        assertThat(file.content()).doesNotContain("/opendpm/os/built/");
        assertThat(AnswerFormat.PRESEED).isEqualTo(os.type().format());
    }
}
