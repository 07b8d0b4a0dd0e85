package org.opendpm.netboot.internal;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.opendpm.netboot.internal.pxe.PxeResponder;
import org.opendpm.netboot.internal.pxe.PxeResponder.Service;
import org.opendpm.netboot.internal.pxe.PxeServer;
import org.opendpm.netboot.internal.pxe.PxeStats;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the PXE boot server (UDP 4011) and the proxyDHCP responder (UDP 67) with the configuration of PID
 * {@value #PID}. Both are off by default: answering DHCP on a network is a decision for its administrator. A
 * configuration change restarts them.
 */
@Component(service = PxeComponent.class, configurationPid = PxeComponent.PID, immediate = true)
@Designate(ocd = PxeComponent.Config.class)
public final class PxeComponent {

    public static final String PID = "org.opendpm.netboot.pxe";

    private static final Logger LOG = LoggerFactory.getLogger(PxeComponent.class);

    @ObjectClassDefinition(name = "OpenDPM PXE responder", description = "PXE boot server and proxyDHCP (PXE 2.1)")
    public @interface Config {
        @AttributeDefinition(name = "Boot server enabled", description = "Answer PXE REQUESTs on the boot server port")
        boolean bootServerEnabled() default false;

        @AttributeDefinition(name = "proxyDHCP enabled",
                description = "Answer PXE DISCOVERs on the DHCP port, for sites whose DHCP server cannot be changed")
        boolean proxyDhcpEnabled() default false;

        @AttributeDefinition(name = "Bind address", description = "0.0.0.0 is needed to receive broadcast DISCOVERs")
        String bindAddress() default "127.0.0.1";

        @AttributeDefinition(name = "Server address",
                description = "IPv4 address clients reach us at (server id, next server); empty = the bind address")
        String serverAddress() default "";

        @AttributeDefinition(name = "Boot server port", min = "0", max = "65535")
        int bootServerPort() default 4011;

        @AttributeDefinition(name = "proxyDHCP port", min = "0", max = "65535")
        int proxyDhcpPort() default 67;

        @AttributeDefinition(name = "Client port", description = "Where broadcast answers go (68)", min = "1",
                max = "65535")
        int clientPort() default 68;

        @AttributeDefinition(name = "Broadcast address",
                description = "Destination of answers to clients without an address; the subnet's broadcast address (e.g. 10.0.0.255) picks the interface on servers with several, or with no route for 255.255.255.255")
        String broadcastAddress() default "255.255.255.255";

        @AttributeDefinition(name = "HTTP boot URL",
                description = "Base URL of the HTTP boot endpoint for iPXE and UEFI HTTP clients; empty = http://<server address>:8181/opendpm/boot/")
        String httpBootUrl() default "";
    }

    private final BootService boot;
    private final PxeStats stats = new PxeStats();
    private final List<PxeServer> servers = new ArrayList<>(); // guarded by "this"

    @Activate
    public PxeComponent(Config config, @Reference BootService boot) {
        this.boot = boot;
        apply(config);
    }

    @Modified
    void modified(Config config) {
        apply(config);
    }

    @Deactivate
    synchronized void deactivate() {
        stopAll();
    }

    /** Counters of both services since the bundle started. */
    public PxeStats.Snapshot stats() {
        return stats.snapshot();
    }

    /** The bound address of a running service. */
    public synchronized Optional<InetSocketAddress> localAddress(Service service) {
        for (PxeServer s : servers) {
            if (s.service() == service) {
                return Optional.of(s.localAddress());
            }
        }
        return Optional.empty();
    }

    private synchronized void apply(Config c) {
        stopAll();
        if (!c.bootServerEnabled() && !c.proxyDhcpEnabled()) {
            LOG.info("PXE boot server and proxyDHCP disabled by configuration {}", PID);
            return;
        }
        InetAddress bind;
        Inet4Address server;
        InetSocketAddress broadcast;
        try {
            bind = InetAddress.getByName(c.bindAddress().trim());
            String s = c.serverAddress().isBlank() ? c.bindAddress().trim() : c.serverAddress().trim();
            InetAddress sa = InetAddress.getByName(s);
            if (!(sa instanceof Inet4Address) || sa.isAnyLocalAddress()) {
                throw new IllegalArgumentException("server address must be a concrete IPv4 address, not " + s
                        + " (set serverAddress when binding 0.0.0.0)");
            }
            server = (Inet4Address) sa;
            broadcast = new InetSocketAddress(InetAddress.getByName(c.broadcastAddress().trim()), c.clientPort());
        } catch (UnknownHostException | IllegalArgumentException e) {
            LOG.error("PXE configuration {} is invalid, responders stopped: {}", PID, e.getMessage());
            return;
        }
        String url = c.httpBootUrl().isBlank()
                ? "http://" + server.getHostAddress() + ":8181/opendpm/boot/"
                : c.httpBootUrl().trim();
        PxeResponder responder = new PxeResponder(server, url,
                client -> boot.boot(client, Optional.of(server)).map(BootService.Decision::response), stats);
        if (c.bootServerEnabled()) {
            startOne(new PxeServer(Service.BOOT_SERVER, new InetSocketAddress(bind, c.bootServerPort()), broadcast,
                    responder, stats));
        }
        if (c.proxyDhcpEnabled()) {
            startOne(new PxeServer(Service.PROXY_DHCP, new InetSocketAddress(bind, c.proxyDhcpPort()), broadcast,
                    responder, stats));
        }
    }

    private void startOne(PxeServer s) {
        try {
            s.start();
            servers.add(s);
        } catch (IOException | RuntimeException e) {
            // Stay active so a corrected configuration (another port, privileges) can start it.
            LOG.error("PXE {} could not start: {}", s.service(), e.getMessage(), e);
        }
    }

    private void stopAll() {
        servers.forEach(PxeServer::stop);
        servers.clear();
    }
}
