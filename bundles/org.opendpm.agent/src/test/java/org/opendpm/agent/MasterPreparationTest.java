package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.agent.TestSupport.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.agent.protocol.Message;

/**
 * SCN-4: {@code prepareMaster} removes what ties the machine's Linux to itself (the guide's LinuxRepSetUp), inside
 * its root folder only, forgets the agent's credential and shuts the machine down; elsewhere it is refused.
 */
public class MasterPreparationTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private TestServer server;
    private Agent agent;
    private Path root;
    private Path outside;

    private static final String IFCFG = """
            TYPE=Ethernet
            DEVICE=eth0
            HWADDR=52:54:00:12:34:56
            UUID=5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03
            ONBOOT=yes
            BOOTPROTO=none
            IPADDR=192.0.2.10
            NETMASK=255.255.255.0
            PREFIX=24
            GATEWAY=192.0.2.1
            IPADDR1=192.0.2.11
            DNS1=192.0.2.53
            """;

    @Before
    public void setUp() throws Exception {
        server = new TestServer("server-a.p12");
        root = tmp.newFolder("root").toPath();
        outside = tmp.newFolder("outside").toPath();
    }

    @After
    public void tearDown() throws Exception {
        if (agent != null) {
            agent.close();
        }
        server.close();
    }

    private Path write(String relative, String content) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    private Path link(String relative, Path target) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        return Files.createSymbolicLink(p, target);
    }

    /** A Linux master as an administrator leaves it, with links that lead out of the root. */
    private void masterMachine() throws IOException {
        write("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
        write("var/lib/dbus/machine-id", "0123456789abcdef0123456789abcdef\n");
        for (String key : List.of("ssh_host_rsa_key", "ssh_host_rsa_key.pub", "ssh_host_ed25519_key",
                "ssh_host_ed25519_key.pub")) {
            write("etc/ssh/" + key, "key\n");
        }
        write("etc/ssh/sshd_config", "PermitRootLogin no\n");
        write("etc/udev/rules.d/70-persistent-net.rules", "SUBSYSTEM==\"net\", NAME=\"eth0\"\n");
        write("etc/udev/rules.d/99-local.rules", "# kept\n");
        write("var/lib/dhcp/dhclient.eth0.leases", "lease {}\n");
        write("var/lib/NetworkManager/internal-5fb06bd0-eth0.lease", "ADDRESS=192.0.2.10\n");
        write("var/lib/NetworkManager/NetworkManager.state", "[main]\n");
        write("etc/sysconfig/network-scripts/ifcfg-eth0", IFCFG);
        write("etc/sysconfig/network-scripts/ifcfg-lo", "DEVICE=lo\nIPADDR=127.0.0.1\n");
        write("etc/sysconfig/network/ifcfg-eth1", "BOOTPROTO='static'\nIPADDR='192.0.2.20/24'\n");
        // Links out of the root: what they point at must stay as it is.
        Path outsideKey = Files.writeString(outside.resolve("ssh_host_ecdsa_key"), "not the master's\n");
        link("etc/ssh/ssh_host_ecdsa_key", outsideKey);
        Path outsideIfcfg = Files.writeString(outside.resolve("ifcfg-eth2"), IFCFG);
        link("etc/sysconfig/network-scripts/ifcfg-eth2", outsideIfcfg);
        Path outsideLeases = Files.createDirectories(outside.resolve("leases"));
        Files.writeString(outsideLeases.resolve("dhclient.leases"), "lease {}\n");
        link("var/lib/dhclient", outsideLeases);
    }

    @Test
    public void scn4LinuxPreparationRemovesTheMachineSpecificSettingsInsideTheRootOnly() throws Exception {
        masterMachine();

        List<String> done = MasterPreparation.linux(new RootFolder(root));

        assertThat(root.resolve("etc/machine-id")).as("kept, empty, for systemd to fill at first boot")
                .exists().isEmptyFile();
        assertThat(root.resolve("var/lib/dbus/machine-id")).doesNotExist();
        assertThat(root.resolve("etc/ssh/ssh_host_rsa_key")).doesNotExist();
        assertThat(root.resolve("etc/ssh/ssh_host_rsa_key.pub")).doesNotExist();
        assertThat(root.resolve("etc/ssh/ssh_host_ed25519_key")).doesNotExist();
        assertThat(root.resolve("etc/ssh/sshd_config")).hasContent("PermitRootLogin no");
        assertThat(root.resolve("etc/udev/rules.d/70-persistent-net.rules")).doesNotExist();
        assertThat(root.resolve("etc/udev/rules.d/99-local.rules")).exists();
        assertThat(root.resolve("var/lib/dhcp/dhclient.eth0.leases")).doesNotExist();
        assertThat(root.resolve("var/lib/NetworkManager/internal-5fb06bd0-eth0.lease")).doesNotExist();
        assertThat(root.resolve("var/lib/NetworkManager/NetworkManager.state")).exists();
        assertThat(Files.readAllLines(root.resolve("etc/sysconfig/network-scripts/ifcfg-eth0")))
                .containsExactly("TYPE=Ethernet", "DEVICE=eth0", "ONBOOT=yes", "BOOTPROTO=dhcp", "DNS1=192.0.2.53");
        assertThat(root.resolve("etc/sysconfig/network-scripts/ifcfg-lo")).as("the loopback keeps its address")
                .hasContent("DEVICE=lo\nIPADDR=127.0.0.1");
        assertThat(Files.readAllLines(root.resolve("etc/sysconfig/network/ifcfg-eth1")))
                .containsExactly("BOOTPROTO=dhcp");
        assertThat(root.resolve("etc/sysconfig/network-scripts")).isDirectoryNotContaining("glob:**.tmp");

        // Nothing outside the root was touched, and the links that lead there are left alone.
        assertThat(Files.isSymbolicLink(root.resolve("etc/ssh/ssh_host_ecdsa_key"))).isTrue();
        assertThat(outside.resolve("ssh_host_ecdsa_key")).hasContent("not the master's");
        assertThat(outside.resolve("ifcfg-eth2")).hasContent(IFCFG.strip());
        assertThat(outside.resolve("leases/dhclient.leases")).exists();
        assertThat(done).noneMatch(line -> line.contains(outside.toString()));
        assertThat(done).hasSize(11);

        assertThat(MasterPreparation.linux(new RootFolder(root))).as("a second run finds nothing to do").isEmpty();
    }

    @Test
    public void aMachineIdLinkedInsideTheRootIsEmptiedThroughItsLinkAndOneLinkedOutIsNot() throws Exception {
        Path real = write("run/machine-id", "abc\n");
        link("etc/machine-id", Path.of("../run/machine-id"));
        MasterPreparation.linux(new RootFolder(root));
        assertThat(real).isEmptyFile();

        Files.delete(root.resolve("etc/machine-id"));
        Path foreign = Files.writeString(outside.resolve("machine-id"), "host\n");
        link("etc/machine-id", foreign);
        MasterPreparation.linux(new RootFolder(root));
        assertThat(foreign).hasContent("host");
    }

    @Test
    public void sysprepCommandLineGeneralisesAndShutsDown() {
        assertThat(MasterPreparation.sysprep("C:\\Windows", false)).containsExactly(
                "C:\\Windows\\System32\\Sysprep\\sysprep.exe", "/generalize", "/oobe", "/shutdown", "/quiet");
        assertThat(MasterPreparation.sysprep("D:\\WIN", true)).containsExactly(
                "D:\\WIN\\System32\\Sysprep\\sysprep.exe", "/generalize", "/oobe", "/shutdown", "/quiet", "/mode:vm");
        assertThat(MasterPreparation.sysprep(null, false).get(0)).isEqualTo(
                "C:\\Windows\\System32\\Sysprep\\sysprep.exe");
    }

    private static void assumeLinux() {
        Assume.assumeTrue("the Linux preparation runs on Linux only", "Linux".equals(System.getProperty("os.name")));
    }

    @Test
    public void scn4TheAgentPreparesForgetsItsCredentialKeepsThePinAndShutsDown() throws Exception {
        assumeLinux();
        masterMachine();
        Path state = tmp.newFolder("state").toPath();
        Path shutdownMarker = tmp.getRoot().toPath().resolve("shut-down");
        agent = TestSupport.start(TestSupport.config(server, state).root(root).allowPower(true)
                .powerCommands(Map.of("shutdown", List.of(List.of("touch", shutdownMarker.toString())), "reboot",
                        List.of(List.of("false"))))
                .build());
        TestServer.Conn c = server.awaitSession(Duration.ofSeconds(20));
        assertThat(state.resolve("credential")).exists();
        assertThat(state.resolve(StateFolder.PIN_FILE)).exists();

        Message answer = c.request(i -> new Message.PrepareMaster(i, Message.PrepareMaster.LINUX));

        assertThat(answer).isInstanceOf(Message.Ack.class);
        assertThat(root.resolve("etc/machine-id")).isEmptyFile();
        assertThat(root.resolve("etc/ssh/ssh_host_rsa_key")).doesNotExist();
        assertThat(state.resolve("credential")).as("a copy registers anew under its own MAC").doesNotExist();
        assertThat(state.resolve(StateFolder.PIN_FILE)).as("the server stays pinned").exists();
        await(Duration.ofSeconds(10), () -> Files.exists(shutdownMarker), "the shutdown after the acknowledgement");
    }

    @Test
    public void withoutAllowPowerTheAgentAcknowledgesAndSaysTheMachineMustBePoweredOffByHand() throws Exception {
        assumeLinux();
        masterMachine();
        try (TestSupport.LogCapture log = new TestSupport.LogCapture()) {
            agent = TestSupport.start(TestSupport.config(server, tmp.newFolder("state").toPath()).root(root).build());
            TestServer.Conn c = server.awaitSession(Duration.ofSeconds(20));
            assertThat(c.request(i -> new Message.PrepareMaster(i, Message.PrepareMaster.LINUX)))
                    .isInstanceOf(Message.Ack.class);
            assertThat(log.all()).contains("must be powered off by hand");
        }
        assertThat(root.resolve("etc/machine-id")).isEmptyFile();
    }

    @Test
    public void windowsOnALinuxAgentIsRefusedAndChangesNothing() throws Exception {
        assumeLinux();
        masterMachine();
        Path state = tmp.newFolder("state").toPath();
        agent = TestSupport.start(TestSupport.config(server, state).root(root).build());
        TestServer.Conn c = server.awaitSession(Duration.ofSeconds(20));

        Message answer = c.request(i -> new Message.PrepareMaster(i, Message.PrepareMaster.WINDOWS));
        assertThat(answer).isInstanceOfSatisfying(Message.ErrorAnswer.class, e -> {
            assertThat(e.code()).isEqualTo(Message.ErrorAnswer.FAILED);
            assertThat(e.message()).isEqualTo("System_WindowsMasterSetup needs the agent of a Windows machine");
        });
        assertThat(((Message.ErrorAnswer) c.request(i -> new Message.PrepareMaster(i,
                Message.PrepareMaster.WINDOWS_VM))).message()).startsWith("System_WindowsMasterSetupVM needs");
        assertThat(root.resolve("etc/machine-id")).hasContent("0123456789abcdef0123456789abcdef");
        assertThat(state.resolve("credential")).exists();
        // The link stays.
        assertThat(((Message.CommandResult) c.request(i -> new Message.Command(i, "echo still", 10))).output())
                .isEqualTo("still\n");
    }

    @Test
    public void aDeployOsAgentRefusesToPrepareAMaster() throws Exception {
        masterMachine();
        server.deployOsTokens.add("tok-m");
        agent = TestSupport.start(TestSupport.config(server, tmp.newFolder("state").toPath())
                .serverFingerprint(server.fingerprint()).deployOsToken("tok-m").root(root).build());
        TestServer.Conn c = server.awaitSession(Duration.ofSeconds(20));

        Message answer = c.request(i -> new Message.PrepareMaster(i, Message.PrepareMaster.LINUX));
        assertThat(answer).isInstanceOfSatisfying(Message.ErrorAnswer.class, e -> assertThat(e.message())
                .isEqualTo("prepareMaster is served by the agent of the installed OS, not in a Deploy-OS"));
        assertThat(root.resolve("etc/machine-id")).hasContent("0123456789abcdef0123456789abcdef");
    }
}
