package org.opendpm.netboot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.Test;
import org.opendpm.api.StoreUnavailableException;
import org.opendpm.api.boot.BootIntentService;
import org.opendpm.api.boot.MachineBootIntent;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.api.inventory.BootDecision;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.inventory.PowerState;
import org.opendpm.api.inventory.SeenBy;
import org.opendpm.api.inventory.SeenResult;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.netboot.internal.intent.IntentFixture;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.BootResponse;
import org.opendpm.spi.DeployOs;
import org.opendpm.spi.testkit.BootClients;

public class BootServiceTest {

    private static final String NEW = "52:54:00:00:00:01";
    private static final String SKIPPED = "52:54:00:00:00:02";
    private static final String MANAGED = "52:54:00:00:00:03";

    /** Writes the intent's class name into a file per MAC; supports BIOS only. */
    private static final BootProtocol BIOS = new BootProtocol() {
        @Override
        public boolean supports(BootClient client) {
            return client.architecture() == BootClient.ARCH_BIOS;
        }

        @Override
        public java.util.Optional<BootResponse> respond(BootClient client, BootIntent intent) {
            String text;
            if (intent instanceof BootIntent.RegistrationMenu m) {
                text = "menu " + m.powerOffSeconds() + " " + m.message();
            } else if (intent instanceof BootIntent.DeployOsBoot d) {
                text = "deploy-os " + d.deployOs().id() + " " + d.deployOs().kernel();
            } else if (intent instanceof BootIntent.OsInstaller i) {
                text = "installer " + i.kernel() + " " + i.initrd() + " " + i.bootArguments();
            } else {
                text = intent.getClass().getSimpleName();
            }
            return java.util.Optional
                    .of(new BootResponse("pxelinux.0", Map.of("pxelinux.cfg/" + client.mac(), text, "../escape", "x")));
        }
    };

    private final FakeInventory inventory = new FakeInventory(Set.of(MANAGED), Set.of(SKIPPED));
    private final BootService service = new BootService(new FakePlugins(BIOS));

    private BootClient bios(String mac) {
        return new BootClient(mac, Optional.of("8d3f1e2a-4b5c-4d6e-9f70-8192a3b4c5d6"), 0, Optional.empty());
    }

    @Test
    public void newMachineIsRegisteredWithMacAndUuidAndGetsTheRegistrationMenu() {
        service.setInventory(inventory.service());
        BootService.Decision d = service.boot(bios(NEW)).orElseThrow();
        assertThat(inventory.seen).singleElement().satisfies(m -> {
            assertThat(m.seenBy()).isEqualTo(SeenBy.NETWORK_BOOT);
            assertThat(m.mac()).isEqualTo(NEW);
            assertThat(m.uuid()).hasValue("8d3f1e2a-4b5c-4d6e-9f70-8192a3b4c5d6");
            assertThat(m.ip()).isEmpty();
        });
        assertThat(d.seen().map(SeenResult::outcome)).hasValue(SeenResult.Outcome.NEW_MACHINE);
        assertThat(d.intent()).isEqualTo(new BootIntent.RegistrationMenu(BootDecision.MESSAGE_TEXT, 30));
        assertThat(d.response().bootFile()).isEqualTo("pxelinux.0");
        assertThat(service.generated("pxelinux.cfg/" + NEW).map(b -> new String(b, StandardCharsets.UTF_8)))
                .hasValue("menu 30 " + BootDecision.MESSAGE_TEXT);
    }

    private static final String WEB01 = "52:54:00:00:00:11";
    private static final String WEB02 = "52:54:00:00:00:12";
    private static final String WEB03 = "52:54:00:00:00:13";

    private static Machine machine(long id, String name, String mac, Optional<String> model,
            Optional<String> deployOs) {
        return new Machine(id, name, 1, "/Group1", List.of(mac), mac, Optional.empty(), Optional.empty(), model,
                deployOs, PowerState.UNKNOWN, MachineStatus.NONE);
    }

    /** A service over a real intent table, with machines web01..03 managed; one-shot clears run at once. */
    private BootService withIntents(IntentFixture f) {
        f.machine(11, "web01", WEB01);
        f.machine(12, "web02", WEB02);
        f.machine(13, "web03", WEB03);
        inventory.machines.put(WEB01, machine(11, "web01", WEB01, Optional.empty(), Optional.of("ia32_080331_24")));
        inventory.machines.put(WEB02, machine(12, "web02", WEB02, Optional.of("Express5800/R120h"),
                Optional.empty()));
        inventory.machines.put(WEB03, machine(13, "web03", WEB03, Optional.empty(), Optional.empty()));
        BootService s = new BootService(new FakePlugins(BIOS), Clock.systemUTC(), Runnable::run);
        s.setInventory(inventory.service());
        s.setIntents(f.service);
        return s;
    }

    private static String file(BootService s, String mac) {
        return s.generated("pxelinux.cfg/" + mac).map(b -> new String(b, StandardCharsets.UTF_8)).orElseThrow();
    }

    @Test
    public void aRegisteredMachineBootsItsIntentResolvedLikeEverywhere() {
        IntentFixture f = new IntentFixture();
        BootService s = withIntents(f);
        ServerSettings defaults = new ServerSettings(true, "/srv/image", true, 5, 10, 120, "ia32_121228_26");
        s.setSettings(new ServerSettingsService() {
            @Override
            public ServerSettings get() {
                return defaults;
            }

            @Override
            public ServerSettings update(ServerSettings settings) {
                throw new AssertionError("not used by this test");
            }
        });
        for (long id = 11; id <= 13; id++) {
            f.service.set(id, NextBoot.deployOs(Optional.empty(), false), "scheduler");
        }
        // Explicit on the machine, then the model, then the server default.
        assertThat(s.boot(bios(WEB01)).orElseThrow().intent()).isEqualTo(new BootIntent.DeployOsBoot(
                new DeployOs("ia32_080331_24", "deployos/ia32_080331_24/vmlinuz", "", "opendpm.mac=" + WEB01,
                        List.of("x86_64"))));
        assertThat(file(s, WEB01)).isEqualTo("deploy-os ia32_080331_24 deployos/ia32_080331_24/vmlinuz");
        s.boot(bios(WEB02));
        assertThat(file(s, WEB02)).startsWith("deploy-os model-Express5800/R120h ");
        s.boot(bios(WEB03));
        assertThat(file(s, WEB03)).startsWith("deploy-os ia32_121228_26 ");
        // The intent's own Deploy-OS wins over the machine's.
        f.service.set(11, NextBoot.deployOs(Optional.of("ia32_150413_26"), false), "alice");
        s.boot(bios(WEB01));
        assertThat(file(s, WEB01)).startsWith("deploy-os ia32_150413_26 ");

        f.service.set(12, NextBoot.osInstaller("pxelinux/rhel9/vmlinuz", "pxelinux/rhel9/initrd.img", "inst.ks=x",
                false), "alice");
        assertThat(s.boot(bios(WEB02)).orElseThrow().intent()).isEqualTo(new BootIntent.OsInstaller(
                "pxelinux/rhel9/vmlinuz", "pxelinux/rhel9/initrd.img", "inst.ks=x"));
        f.service.set(13, NextBoot.localDisk(false), "alice");
        assertThat(s.boot(bios(WEB03)).orElseThrow().intent()).isInstanceOf(BootIntent.LocalDisk.class);
        // Sticky intents stay after their files were fetched.
        assertThat(f.rows()).isEqualTo(3);
    }

    @Test
    public void withoutSettingsTheDeployOsFallsBackToTheGuideDefault() {
        IntentFixture f = new IntentFixture();
        BootService s = withIntents(f);
        f.service.set(13, NextBoot.deployOs(Optional.empty(), false), "scheduler");
        s.boot(bios(WEB03));
        assertThat(file(s, WEB03)).startsWith("deploy-os " + ServerSettings.DEFAULT_DEPLOY_OS + " ");
    }

    @Test
    public void aOneShotIntentLastsUntilItsFileIsFetched() {
        IntentFixture f = new IntentFixture();
        BootService s = withIntents(f);
        f.service.set(11, NextBoot.deployOs(Optional.empty(), true), "scheduler");
        // proxyDHCP and the boot server both decide before the client fetches anything: same answer twice.
        assertThat(s.boot(bios(WEB01)).orElseThrow().intent()).isInstanceOf(BootIntent.DeployOsBoot.class);
        assertThat(s.boot(bios(WEB01)).orElseThrow().intent()).isInstanceOf(BootIntent.DeployOsBoot.class);
        assertThat(f.service.get(11)).isPresent();
        assertThat(s.generate("pxelinux.cfg/" + WEB01, null)).isPresent(); // the TFTP fetch
        assertThat(f.service.get(11)).isEmpty();
        assertThat(s.boot(bios(WEB01)).orElseThrow().intent()).isInstanceOf(BootIntent.LocalDisk.class);
    }

    /** HWS-2: a HW setting step learns that its machine network-booted again; a failing listener changes nothing. */
    @Test
    public void listenersHearEveryBootOfARegisteredMachineAndCannotChangeIt() {
        IntentFixture f = new IntentFixture();
        BootService s = withIntents(f);
        List<String> heard = new java.util.ArrayList<>();
        s.addBootListener((id, client) -> {
            throw new IllegalStateException("broken listener");
        });
        s.addBootListener((id, client) -> heard.add(id + " " + client.mac() + " " + client.architecture()));
        assertThat(s.boot(bios(WEB01)).orElseThrow().intent()).isInstanceOf(BootIntent.LocalDisk.class);
        s.boot(bios(NEW));
        assertThat(heard).containsExactly("11 " + WEB01 + " 0");
    }

    @Test
    public void aFetchClearsOnlyTheOneShotItWasGeneratedFor() {
        IntentFixture f = new IntentFixture();
        BootService s = withIntents(f);
        f.service.set(11, NextBoot.deployOs(Optional.empty(), true), "scheduler");
        s.boot(bios(WEB01));
        // Set again before the fetch: the newer intent must survive the fetch of the older one's file.
        f.advance(1);
        f.service.set(11, NextBoot.osInstaller("k", "", "", true), "alice");
        s.generated("pxelinux.cfg/" + WEB01);
        assertThat(f.service.get(11).orElseThrow().setBy()).isEqualTo("alice");
        // A sticky decision for the same file forgets the pending one-shot.
        f.advance(1);
        var sticky = f.service.set(11, NextBoot.localDisk(false), "bob");
        s.boot(bios(WEB01));
        s.generated("pxelinux.cfg/" + WEB01);
        assertThat(f.service.get(11)).hasValue(sticky);
    }

    @Test
    public void aFailingIntentStoreMeansLocalDisk() {
        IntentFixture f = new IntentFixture();
        BootService s = withIntents(f);
        f.service.set(11, NextBoot.deployOs(Optional.empty(), false), "scheduler");
        s.setIntents(new BootIntentService() {
            @Override
            public Optional<MachineBootIntent> get(long machineId) {
                throw new StoreUnavailableException("no database");
            }

            @Override
            public MachineBootIntent set(long machineId, NextBoot intent, String setBy) {
                throw new AssertionError("not used by this test");
            }

            @Override
            public boolean clear(long machineId) {
                throw new AssertionError("not used by this test");
            }

            @Override
            public boolean clearIfSetAt(long machineId, Instant setAt) {
                throw new AssertionError("not used by this test");
            }
        });
        assertThat(s.boot(bios(WEB01)).orElseThrow().intent()).isInstanceOf(BootIntent.LocalDisk.class);
    }

    @Test
    public void countersCountDecisionsAndDistinctClients() {
        service.boot(bios(NEW));
        service.boot(bios(NEW));
        service.boot(bios(SKIPPED));
        service.boot(BootClients.uefi(MANAGED)); // unsupported, still seen
        service.countHttpBootRequest();
        assertThat(service.counters()).isEqualTo(new BootService.Counters(3, 4, 1));
    }

    @Test
    public void generatedPathsLeavingTheRootAreNotKept() {
        service.boot(bios(NEW));
        assertThat(service.generated("escape")).isEmpty();
        assertThat(service.generated("../escape")).isEmpty();
    }

    @Test
    public void forceskipAndManagedMachinesBootTheLocalDisk() {
        service.setInventory(inventory.service());
        assertThat(service.boot(bios(SKIPPED)).orElseThrow().intent()).isInstanceOf(BootIntent.LocalDisk.class);
        assertThat(service.boot(bios(MANAGED)).orElseThrow().intent()).isInstanceOf(BootIntent.LocalDisk.class);
        assertThat(inventory.seen).hasSize(2);
    }

    @Test
    public void withoutOrWithAFailingInventoryEveryMachineBootsItsLocalDisk() {
        assertThat(service.boot(bios(NEW)).orElseThrow().intent()).isInstanceOf(BootIntent.LocalDisk.class);
        service.setInventory(inventory.service());
        inventory.storeDown = true;
        BootService.Decision d = service.boot(bios(NEW)).orElseThrow();
        assertThat(d.intent()).isInstanceOf(BootIntent.LocalDisk.class);
        assertThat(d.seen()).isEmpty();
        inventory.storeDown = false;
        service.unsetInventory(inventory.service()); // another instance: the bound one stays
        assertThat(service.boot(bios(NEW)).orElseThrow().intent()).isInstanceOf(BootIntent.RegistrationMenu.class);
    }

    @Test
    public void unsupportedClientIsNotRegistered() {
        service.setInventory(inventory.service());
        assertThat(service.boot(BootClients.uefi(NEW))).isEmpty();
        assertThat(inventory.seen).isEmpty();
    }

    @Test
    public void generatedFilesExpireAndAreBounded() {
        Instant[] now = { Instant.parse("2026-01-01T00:00:00Z") };
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        GeneratedFiles files = new GeneratedFiles(3, Duration.ofMinutes(10), clock);
        for (int i = 0; i < 5; i++) {
            now[0] = now[0].plusSeconds(1);
            files.putAll(Map.of("f" + i, "content " + i));
        }
        assertThat(files.size()).isEqualTo(3);
        assertThat(files.get("f0")).isEmpty();
        assertThat(files.get("f4")).isPresent();
        now[0] = now[0].plus(Duration.ofMinutes(11));
        assertThat(files.get("f4")).isEmpty();
    }
}
