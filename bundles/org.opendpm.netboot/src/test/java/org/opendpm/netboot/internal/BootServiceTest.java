package org.opendpm.netboot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.Test;
import org.opendpm.api.inventory.BootDecision;
import org.opendpm.api.inventory.SeenBy;
import org.opendpm.api.inventory.SeenResult;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.BootResponse;
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
        public BootResponse respond(BootClient client, BootIntent intent) {
            String text = intent instanceof BootIntent.RegistrationMenu m ? "menu " + m.powerOffSeconds() + " "
                    + m.message() : intent.getClass().getSimpleName();
            return new BootResponse("pxelinux.0", Map.of("pxelinux.cfg/" + client.mac(), text, "../escape", "x"));
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
