package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.Test;

import picocli.CommandLine;

/** The command line and the identity values it accepts. */
public class CommandLineTest {

    private static AgentConfig parse(String... args) {
        Main main = new Main();
        Main.commandLine(main).parseArgs(args);
        return main.toConfig();
    }

    @Test
    public void serverWithAndWithoutPort() {
        AgentConfig c = parse("--server", "dpm.example.org");
        assertThat(c.serverHost()).isEqualTo("dpm.example.org");
        assertThat(c.serverPort()).isEqualTo(26509);
        assertThat(c.discovery()).isFalse();
        assertThat(parse("--server", "10.0.0.5:4000").serverPort()).isEqualTo(4000);
        AgentConfig v6 = parse("--server", "[fd00::1]:4001");
        assertThat(v6.serverHost()).isEqualTo("fd00::1");
        assertThat(v6.serverPort()).isEqualTo(4001);
        assertThat(parse("--server", "fd00::2").serverHost()).isEqualTo("fd00::2");
    }

    @Test
    public void defaultsWithoutServerMeanDiscovery() {
        AgentConfig c = parse();
        assertThat(c.discovery()).isTrue();
        assertThat(c.discoverAddress()).isEqualTo("255.255.255.255");
        assertThat(c.discoverPort()).isEqualTo(26529);
        assertThat(c.stateDir()).isEqualTo(Path.of(System.getProperty("user.home"), ".opendpm-agent"));
        assertThat(c.heartbeatGrace()).isEqualTo(3);
        assertThat(c.allowPower()).isFalse();
        assertThat(c.simulate()).isZero();
        assertThat(c.backoffInitial()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.backoffMax()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    public void testDisksAreNumberedInTheOrderGivenAndMustBeFiles() throws Exception {
        Path a = java.nio.file.Files.createTempFile("disk-a", ".img");
        Path b = java.nio.file.Files.createTempFile("disk-b", ".img");
        try {
            assertThat(parse("--test-disk", a.toString(), "--test-disk", b.toString()).testDisks())
                    .containsExactly(a.toAbsolutePath(), b.toAbsolutePath());
            assertThat(parse().testDisks()).isEmpty();
            assertThatThrownBy(() -> parse("--test-disk", a.resolveSibling("missing.img").toString()))
                    .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("is not a regular file");
            java.io.StringWriter help = new java.io.StringWriter();
            new CommandLine(new Main()).usage(new java.io.PrintWriter(help));
            assertThat(help.toString()).contains("--test-disk=FILE");
        } finally {
            java.nio.file.Files.delete(a);
            java.nio.file.Files.delete(b);
        }
    }

    @Test
    public void rootIsSlashByDefaultAndMustBeAFolder_SCN4() throws Exception {
        assertThat(parse().root()).isEqualTo(Path.of("/"));
        Path folder = java.nio.file.Files.createTempDirectory("root");
        try {
            assertThat(parse("--root", folder.toString()).root()).isEqualTo(folder.toAbsolutePath());
            assertThatThrownBy(() -> parse("--root", folder.resolve("missing").toString()))
                    .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("is not a folder");
            java.io.StringWriter help = new java.io.StringWriter();
            new CommandLine(new Main()).usage(new java.io.PrintWriter(help));
            assertThat(help.toString()).contains("--root=DIR");
        } finally {
            java.nio.file.Files.delete(folder);
        }
    }

    @Test
    public void identityOverridesAreNormalised() {
        AgentConfig c = parse("--mac", "52-54-00-AB-CD-EF", "--uuid", "4C4C4544-0042-3510-8052-B4C04F384B32",
                "--name", "web01", "--allow-power", "--server-fingerprint", "AB:".repeat(31) + "AB");
        assertThat(c.mac()).isEqualTo("52:54:00:ab:cd:ef");
        assertThat(c.uuid()).isEqualTo("4c4c4544-0042-3510-8052-b4c04f384b32");
        assertThat(c.name()).isEqualTo("web01");
        assertThat(c.deployOs()).isFalse();
        assertThat(c.allowPower()).isTrue();
        assertThat(c.serverFingerprint()).isEqualTo("ab".repeat(32));
    }

    @Test
    public void deployOsModeTakesServerFingerprintTokenAndMacFromTheKernelCommandLine() throws Exception {
        java.nio.file.Path cmdline = java.nio.file.Files.createTempFile("cmdline", "");
        try {
            java.nio.file.Files.writeString(cmdline, "BOOT_IMAGE=/vmlinuz quiet opendpm.server=192.0.2.1:26510 "
                    + "opendpm.fingerprint=" + "ab".repeat(32) + " opendpm.token=t-1 opendpm.mac=52:54:00:AB:CD:EF\n");
            AgentConfig c = parse("--deploy-os", "--kernel-cmdline", cmdline.toString());
            assertThat(c.deployOs()).isTrue();
            assertThat(c.deployOsToken()).isEqualTo("t-1");
            assertThat(c.serverHost()).isEqualTo("192.0.2.1");
            assertThat(c.serverPort()).isEqualTo(26510);
            assertThat(c.serverFingerprint()).isEqualTo("ab".repeat(32));
            assertThat(c.mac()).isEqualTo("52:54:00:ab:cd:ef");

            // Arguments win over the command line.
            AgentConfig given = parse("--deploy-os", "--kernel-cmdline", cmdline.toString(), "--token", "t-2",
                    "--server", "h");
            assertThat(given.deployOsToken()).isEqualTo("t-2");
            assertThat(given.serverHost()).isEqualTo("h");
            // A base64url token may begin with "-", even with "-h".
            AgentConfig dash = parse("--deploy-os", "--kernel-cmdline", cmdline.toString(),
                    "--token", "-hHriPrjwuKnRXDaCb5RLjdPmzZaAhiYh-1ZPrXw7T0");
            assertThat(dash.deployOsToken()).isEqualTo("-hHriPrjwuKnRXDaCb5RLjdPmzZaAhiYh-1ZPrXw7T0");

            java.nio.file.Files.writeString(cmdline, "quiet opendpm.server=h");
            assertThatThrownBy(() -> parse("--deploy-os", "--kernel-cmdline", cmdline.toString()))
                    .hasMessageContaining("--deploy-os needs --server-fingerprint or opendpm.fingerprint=");
            assertThatThrownBy(() -> parse("--token", "t")).hasMessageContaining("--token needs --deploy-os");
        } finally {
            java.nio.file.Files.delete(cmdline);
        }
    }

    @Test
    public void badValuesAreRefusedWithAClearMessage() {
        assertThatThrownBy(() -> parse("--server", "h:0")).hasMessageContaining("port 0 is not between 1 and 65535");
        assertThatThrownBy(() -> parse("--server", "h:x")).hasMessageContaining("port 'x' is not a number");
        assertThatThrownBy(() -> parse("--mac", "52:54:00")).hasMessageContaining("is not a MAC address");
        assertThatThrownBy(() -> parse("--uuid", "nope")).hasMessageContaining("is not a UUID");
        assertThatThrownBy(() -> parse("--server-fingerprint", "abc"))
                .hasMessageContaining("is not a SHA-256 fingerprint");
        assertThatThrownBy(() -> parse("--simulate-exec")).hasMessageContaining("--simulate-exec needs --simulate");
        assertThatThrownBy(() -> parse("--heartbeat-grace", "1")).hasMessageContaining("at least 2");
    }

    @Test
    public void simulatedIdentitiesCountUpFromTheBaseMac() {
        List<Identity> ids = Agent.simulatedIdentities(parse("--simulate", "3", "--mac", "02:00:00:00:00:ff"));
        assertThat(ids).extracting(Identity::mac).containsExactly("02:00:00:00:00:ff", "02:00:00:00:01:00",
                "02:00:00:00:01:01");
        assertThat(ids).extracting(Identity::uuid).doesNotHaveDuplicates().doesNotContainNull();
        assertThat(ids.get(0).hostName()).isEqualTo("sim-0200000000ff");
        assertThat(Agent.simulatedIdentities(parse("--simulate", "1")).get(0).mac()).isEqualTo("02:00:00:00:00:01");
    }

    @Test
    public void placeholderUuidsCountAsNone() {
        assertThat(Identity.normalizeUuid("00000000-0000-0000-0000-000000000000")).isNull();
        assertThat(Identity.normalizeUuid("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")).isNull();
        assertThat(SystemIdentity.parseWmicUuid("UUID                                  \r\r\n"
                + "4C4C4544-0042-3510-8052-B4C04F384B32  \r\r\n\r\r\n"))
                .isEqualTo("4c4c4544-0042-3510-8052-b4c04f384b32");
        assertThat(SystemIdentity.parseWmicUuid("UUID\r\nFFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF\r\n")).isNull();
        assertThat(SystemIdentity.parseWmicUuid(null)).isNull();
    }

    @Test
    public void systemMacsAreNormalisedAndNeverLoopback() throws Exception {
        for (String mac : SystemIdentity.hardwareMacs()) {
            assertThat(mac).matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}").isNotEqualTo("00:00:00:00:00:00");
        }
    }
}
