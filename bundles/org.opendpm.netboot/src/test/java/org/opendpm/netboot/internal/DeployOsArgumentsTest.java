package org.opendpm.netboot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.agent.AgentLinkStatus;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.inventory.PowerState;
import org.opendpm.netboot.internal.intent.IntentFixture;
import org.opendpm.netboot.internal.session.JdbcDeployOsSessions;
import org.opendpm.netboot.internal.session.SessionsFixture;
import org.opendpm.plugin.boot.ipxehttp.internal.IpxeHttpBootProtocol;
import org.opendpm.plugin.boot.pxebios.internal.PxeBiosBootProtocol;
import org.opendpm.plugin.boot.pxeuefi.internal.PxeUefiBootProtocol;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.testkit.BootClients;

/**
 * The Deploy-OS kernel command line carries the agent link's address and fingerprint, the machine's MAC and its
 * session token, in the files the real pxelinux, GRUB and iPXE plugins generate.
 */
public class DeployOsArgumentsTest {

    private static final String FINGERPRINT = "0123456789abcdef".repeat(4);
    private static final String BIOS = "52:54:00:00:00:11";
    private static final String UEFI = "52:54:00:00:00:12";
    private static final String IPXE = "52:54:00:00:00:13";

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final IntentFixture f = new IntentFixture();
    private final FakeInventory inventory = new FakeInventory(Set.of(), Set.of());
    private final BootService boot = new BootService(new FakePlugins(new PxeBiosBootProtocol(),
            new PxeUefiBootProtocol(), new IpxeHttpBootProtocol()), Clock.systemUTC(), Runnable::run);
    private JdbcDeployOsSessions sessions;

    @Before
    public void setUp() throws Exception {
        sessions = SessionsFixture.over(f, tmp.getRoot().toPath().resolve("deployos-session.key"));
        long id = 11;
        for (String mac : List.of(BIOS, UEFI, IPXE)) {
            f.machine(id, "web" + id, mac);
            inventory.machines.put(mac, new Machine(id, "web" + id, 1, "/Group1", List.of(mac), mac,
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.of("ia32_110331_26"),
                    PowerState.UNKNOWN, MachineStatus.NONE));
            f.service.set(id, NextBoot.deployOs(Optional.empty(), false), "scheduler");
            id++;
        }
        boot.setInventory(inventory.service());
        boot.setIntents(f.service);
        boot.setSessions(sessions);
    }

    private static AgentLink agentLink(int port) {
        return (AgentLink) Proxy.newProxyInstance(AgentLink.class.getClassLoader(), new Class<?>[]{ AgentLink.class },
                (proxy, method, args) -> {
                    if (method.getName().equals("status")) {
                        return new AgentLinkStatus(port, FINGERPRINT, 0, Map.of());
                    }
                    throw new AssertionError("not used by network boot: " + method.getName());
                });
    }

    private static final Map<String, BootClient> CLIENTS = Map.of(BIOS, BootClients.bios(BIOS), UEFI,
            BootClients.uefi(UEFI), IPXE, BootClients.ipxe(IPXE, BootClient.ARCH_BIOS));

    /** The one generated file of the machine's answer. */
    private String generated(String mac, Optional<InetAddress> receivedOn) {
        var d = boot.boot(CLIENTS.get(mac), receivedOn).orElseThrow();
        assertThat(d.response().generatedFiles()).hasSize(1);
        return d.response().generatedFiles().values().iterator().next();
    }

    private String generated(String mac) {
        return generated(mac, Optional.empty());
    }

    /** What ServerUrls reads: the Host an iPXE request named, else the address a PXE request came to. */
    @Test
    public void eachRegisteredMachinesLatestBootAddressIsRecorded() throws Exception {
        boot.boot(CLIENTS.get(IPXE), Optional.of(InetAddress.getByName("127.0.0.1")), Optional.of("10.0.2.2:18181"));
        boot.boot(CLIENTS.get(BIOS), Optional.of(InetAddress.getByName("192.0.2.1")));
        boot.boot(CLIENTS.get(UEFI), Optional.of(InetAddress.getByName("127.0.0.1")), Optional.of("localhost:8181"));
        assertThat(boot.latestBootAddress(13).orElseThrow().httpBase(8181)).isEqualTo("http://10.0.2.2:18181");
        assertThat(boot.latestBootAddress(11).orElseThrow().httpBase(8181)).isEqualTo("http://192.0.2.1:8181");
        assertThat(boot.latestBootAddress(12)).as("loopback is no address for a machine").isEmpty();
        boot.boot(CLIENTS.get(IPXE), Optional.of(InetAddress.getByName("198.51.100.1")), Optional.empty());
        assertThat(boot.latestBootAddress(13).orElseThrow().httpBase(8181)).isEqualTo("http://198.51.100.1:8181");
    }

    @Test
    public void pxelinuxGrubAndIpxeCarryServerFingerprintMacAndToken() {
        boot.setAgentLink(agentLink(26509));
        boot.advertisedAddress("10.0.2.2");
        long id = 11;
        for (String mac : List.of(BIOS, UEFI, IPXE)) {
            sessions.issue(id, 500 + id, f.clock.instant().plusSeconds(3600));
            String token = sessions.token(id).orElseThrow();
            String file = generated(mac);
            assertThat(file).as(mac).contains("opendpm.server=10.0.2.2:26509 opendpm.fingerprint=" + FINGERPRINT
                    + " opendpm.mac=" + mac + " opendpm.token=" + token);
            // What the Deploy-OS presents is what the session accepts.
            assertThat(sessions.redeem(mac, token)).hasValue(500 + id);
            id++;
        }
        assertThat(generated(BIOS)).startsWith("DEFAULT deployos").contains("KERNEL deployos/ia32_110331_26/vmlinuz");
        assertThat(generated(UEFI)).contains("linux '/deployos/ia32_110331_26/vmlinuz' opendpm.server");
    }

    @Test
    public void withoutAnIssuedTokenThereIsNoTokenArgument() {
        boot.setAgentLink(agentLink(26509));
        boot.advertisedAddress("10.0.2.2");
        assertThat(generated(BIOS)).contains("opendpm.mac=" + BIOS).doesNotContain("opendpm.token");
        // Used up: none either.
        sessions.issue(11, 500, f.clock.instant().plusSeconds(3600));
        assertThat(sessions.redeem(BIOS, sessions.token(11).orElseThrow())).isPresent();
        assertThat(generated(BIOS)).doesNotContain("opendpm.token");
        // And without the session service at all.
        boot.unsetSessions(sessions);
        assertThat(generated(IPXE)).contains("opendpm.server=10.0.2.2:26509").doesNotContain("opendpm.token");
    }

    @Test
    public void withoutTheAgentLinkThereIsNoServerArgument() {
        boot.advertisedAddress("10.0.2.2");
        sessions.issue(11, 500, f.clock.instant().plusSeconds(3600));
        assertThat(generated(BIOS)).doesNotContain("opendpm.server").doesNotContain("opendpm.fingerprint")
                .contains("opendpm.mac=" + BIOS + " opendpm.token=" + sessions.token(11).orElseThrow());
        boot.setAgentLink(agentLink(0)); // the link disabled by configuration
        assertThat(generated(BIOS)).doesNotContain("opendpm.server").doesNotContain("opendpm.fingerprint");
    }

    @Test
    public void withoutAnAdvertisedAddressTheRequestsOwnAddressIsUsedUnlessWildcardOrLoopback() throws Exception {
        boot.setAgentLink(agentLink(26509));
        assertThat(generated(BIOS, Optional.of(InetAddress.getByName("192.0.2.5"))))
                .contains("opendpm.server=192.0.2.5:26509 opendpm.fingerprint=" + FINGERPRINT);
        assertThat(generated(BIOS, Optional.of(InetAddress.getByName("2001:db8::5"))))
                .contains("opendpm.server=[2001:db8:0:0:0:0:0:5]:26509");
        for (String unusable : List.of("127.0.0.1", "0.0.0.0", "::1")) {
            assertThat(generated(BIOS, Optional.of(InetAddress.getByName(unusable)))).as(unusable)
                    .doesNotContain("opendpm.server").contains("opendpm.fingerprint=" + FINGERPRINT);
        }
        assertThat(generated(BIOS)).doesNotContain("opendpm.server");
        // The configured address wins; one that could add arguments of its own is ignored.
        boot.advertisedAddress("dpm.example.org");
        assertThat(generated(BIOS, Optional.of(InetAddress.getByName("192.0.2.5"))))
                .contains("opendpm.server=dpm.example.org:26509");
        boot.advertisedAddress("10.0.2.2 opendpm.token=forged");
        assertThat(generated(BIOS, Optional.of(InetAddress.getByName("192.0.2.5"))))
                .contains("opendpm.server=192.0.2.5:26509").doesNotContain("forged");
    }

    @Test
    public void otherIntentsCarryNoneOfIt() {
        boot.setAgentLink(agentLink(26509));
        boot.advertisedAddress("10.0.2.2");
        sessions.issue(11, 500, f.clock.instant().plusSeconds(3600));
        f.service.set(11, NextBoot.osInstaller("rhel9/vmlinuz", "rhel9/initrd.img", "inst.ks=x", false), "alice");
        assertThat(generated(BIOS)).contains("inst.ks=x").doesNotContain("opendpm.");
        f.service.set(11, NextBoot.localDisk(false), "alice");
        assertThat(generated(BIOS)).doesNotContain("opendpm.");
    }

    @Test
    public void theTokenIsNeverLogged() throws Exception {
        boot.setAgentLink(agentLink(26509));
        boot.advertisedAddress("10.0.2.2");
        String[] token = new String[1];
        String log = LogCapture.during(() -> {
            sessions.issue(11, 500, f.clock.instant().plusSeconds(3600));
            token[0] = sessions.token(11).orElseThrow();
            generated(BIOS);
            generated(IPXE); // no token: different machine
            String wrong = (token[0].charAt(0) == 'A' ? "B" : "A") + token[0].substring(1);
            sessions.redeem(BIOS, wrong);
            sessions.redeem(BIOS, token[0]);
            sessions.redeem(BIOS, token[0]);
        }, BootService.class, JdbcDeployOsSessions.class);
        assertThat(log).contains("Deploy-OS arguments of web11").contains("token issued")
                .contains("refused: wrong token").contains("redeemed").contains("refused: already used");
        assertThat(log).doesNotContain(token[0]).doesNotContain(token[0].substring(1));
    }
}
