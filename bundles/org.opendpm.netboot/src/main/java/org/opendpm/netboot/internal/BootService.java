package org.opendpm.netboot.internal;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import org.opendpm.api.inventory.BootDecision;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.SeenResult;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.netboot.internal.tftp.GeneratedFileSource;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.BootResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a booting client boots and keeps the files its boot protocol generated for TFTP and HTTP.
 *
 * <p>Every client is reported to the inventory ({@link InventoryService#registerSeen}, which lists unknown machines
 * under New Machine with MAC and UUID). A machine that is new by that report gets what {@code forceskip.ini} says
 * (INV-5): the registration menu, or its local disk. A managed machine boots its local disk, which is also the answer
 * while the inventory is absent or failing, so that network boot never keeps a machine from starting its own OS.
 * Pending scenario work (Deploy-OS, OS installer) will come from the scheduler's next-boot intent.
 *
 * <p>The inventory is an optional, dynamic reference: netboot runs (and serves local boot) without it.
 */
@Component(service = { BootService.class, GeneratedFileSource.class })
public final class BootService implements GeneratedFileSource {

    private static final Logger LOG = LoggerFactory.getLogger(BootService.class);
    /** A machine count far above the largest site's concurrent boots; each entry is a few hundred bytes. */
    private static final int MAX_GENERATED = 50_000;
    private static final Duration GENERATED_TTL = Duration.ofHours(1);

    /** The decision for one client, with what the inventory made of it. */
    public record Decision(BootClient client, BootIntent intent, Optional<SeenResult> seen, String protocol,
            BootResponse response) {
    }

    private final PluginRegistry plugins;
    private final GeneratedFiles generated;
    private volatile InventoryService inventory;

    @Activate
    public BootService(@Reference PluginRegistry plugins) {
        this(plugins, Clock.systemUTC());
    }

    BootService(PluginRegistry plugins, Clock clock) {
        this.plugins = plugins;
        this.generated = new GeneratedFiles(MAX_GENERATED, GENERATED_TTL, clock);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setInventory(InventoryService service) {
        inventory = service;
    }

    void unsetInventory(InventoryService service) {
        if (inventory == service) {
            inventory = null;
        }
    }

    /**
     * Registers the client as seen and answers with its boot protocol's response, whose generated files are kept for
     * TFTP and HTTP. Empty when no boot protocol supports the client. May block on the database: never call it on a
     * network event loop.
     */
    public Optional<Decision> boot(BootClient client) {
        Optional<BootProtocol> protocol = plugins.bootProtocolFor(client);
        if (protocol.isEmpty()) {
            return Optional.empty();
        }
        Optional<SeenResult> seen = reportSeen(client);
        BootIntent intent = intentFor(client, seen);
        BootResponse response = protocol.get().respond(client, intent);
        generated.putAll(response.generatedFiles());
        String name = protocol.get().getClass().getSimpleName();
        LOG.info("Network boot of {} (uuid {}, architecture {}{}): {} by {}, boot file {}", client.mac(),
                client.uuid().orElse("-"), client.architecture(), client.isIpxe() ? ", iPXE" : "",
                intent.getClass().getSimpleName(), name, response.bootFile());
        return Optional.of(new Decision(client, intent, seen, name, response));
    }

    private Optional<SeenResult> reportSeen(BootClient client) {
        InventoryService inv = inventory;
        if (inv == null) {
            LOG.debug("No inventory: {} is not registered and boots its local disk", client.mac());
            return Optional.empty();
        }
        try {
            return Optional.of(inv.registerSeen(client.mac(), client.uuid().orElse(null), Optional.empty()));
        } catch (RuntimeException e) {
            LOG.warn("Inventory could not register {} seen by network boot; it boots its local disk: {}",
                    client.mac(), e.toString());
            return Optional.empty();
        }
    }

    private BootIntent intentFor(BootClient client, Optional<SeenResult> seen) {
        InventoryService inv = inventory;
        if (seen.isEmpty() || inv == null) {
            return new BootIntent.LocalDisk();
        }
        SeenResult.Outcome o = seen.get().outcome();
        if (o != SeenResult.Outcome.NEW_MACHINE && o != SeenResult.Outcome.NEW_MACHINE_UPDATED) {
            return new BootIntent.LocalDisk();
        }
        BootDecision decision;
        try {
            decision = inv.bootDecision(client.mac());
        } catch (RuntimeException e) {
            LOG.warn("forceskip decision for {} failed; it boots its local disk: {}", client.mac(), e.toString());
            return new BootIntent.LocalDisk();
        }
        if (decision == BootDecision.REGISTRATION_MENU) {
            return new BootIntent.RegistrationMenu(BootDecision.MESSAGE_TEXT,
                    (int) BootDecision.POWER_OFF_AFTER.toSeconds());
        }
        return new BootIntent.LocalDisk();
    }

    /** A generated file by its normalised path below the boot root. */
    public Optional<byte[]> generated(String normalizedPath) {
        return generated.get(normalizedPath);
    }

    @Override
    public Optional<byte[]> generate(String path, InetSocketAddress client) {
        return generated.get(path);
    }
}
