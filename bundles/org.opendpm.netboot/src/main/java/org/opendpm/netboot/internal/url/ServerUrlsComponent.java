package org.opendpm.netboot.internal.url;

import java.util.Optional;

import org.opendpm.api.boot.ServerUrls;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.netboot.internal.BootService;
import org.opendpm.netboot.internal.HttpBootServlet;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ServerUrls} from what network boot knows ({@link BootService}: {@code advertisedAddress} of
 * {@value HttpBootServlet#PID} and each machine's latest boot address) and the HTTP port of Pax Web's own
 * configuration ({@value #PAX_WEB_PID}), so the port is never configured twice.
 */
@Component(configurationPid = ServerUrlsComponent.PAX_WEB_PID)
public final class ServerUrlsComponent implements ServerUrls {

    static final String PAX_WEB_PID = "org.ops4j.pax.web";
    private static final Logger LOG = LoggerFactory.getLogger(ServerUrlsComponent.class);
    private static final int DEFAULT_HTTP_PORT = 8181;

    /** The setting read; the name maps to {@code org.osgi.service.http.port}. */
    public @interface Config {
        String org_osgi_service_http_port() default "8181";
    }

    private final BootService boot;
    private volatile int httpPort;
    private volatile InventoryService inventory;

    @Activate
    public ServerUrlsComponent(Config config, @Reference BootService boot) {
        this.boot = boot;
        modified(config);
    }

    @Modified
    void modified(Config config) {
        httpPort = port(config.org_osgi_service_http_port());
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

    @Override
    public String httpBase(long machineId) {
        InventoryService inv = inventory;
        Optional<Machine> machine = Optional.empty();
        if (inv != null) {
            machine = Optional.of(inv.machine(machineId));
        }
        String base = HttpBases.httpBase(new HttpBases.Known(machine.map(Machine::name).orElse("machine " + machineId),
                boot.advertisedAddress(), httpPort, boot.latestBootAddress(machineId), machine.flatMap(Machine::ip),
                HttpBases.localAddresses()));
        LOG.debug("HTTP base of machine {}: {}", machineId, base);
        return base;
    }

    private static int port(String configured) {
        try {
            int p = Integer.parseInt(configured.strip());
            if (p >= 1 && p <= 65_535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // logged below
        }
        LOG.error("org.osgi.service.http.port '{}' of {} is not a port; machines are given {}",
                configured.replaceAll("[^\\x20-\\x7e]", "?"), PAX_WEB_PID, DEFAULT_HTTP_PORT);
        return DEFAULT_HTTP_PORT;
    }
}
