package org.opendpm.netboot.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

import org.opendpm.netboot.internal.pxe.PxeResponder;
import org.opendpm.netboot.internal.pxe.PxeResponder.Service;
import org.opendpm.netboot.internal.pxe.PxeServer;
import org.opendpm.netboot.internal.pxe.PxeStats;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.BootResponse;

/**
 * Our proxyDHCP responder for {@code bench/pxe/run.sh}, wired as in the server: {@link PxeServer} →
 * {@link PxeResponder} → {@link BootService} → a BIOS boot protocol that, like pxebios, answers {@code pxelinux.0} and
 * generates a pxelinux config per MAC. No inventory: every client gets the local-disk decision, so the figures are
 * the network path and the decision machinery without the database.
 *
 * <p>Usage: {@code PxeBenchServerMain PORT ANSWER_PORT}: listens on 127.0.0.1:PORT and broadcasts OFFERs to
 * 255.255.255.255:ANSWER_PORT, as the distribution does to port 68; run it in a network namespace of its own.
 * Prints {@code listening on PORT}.
 */
public final class PxeBenchServerMain {

    private PxeBenchServerMain() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        BootProtocol bios = new BootProtocol() {
            @Override
            public boolean supports(BootClient client) {
                return client.architecture() == BootClient.ARCH_BIOS;
            }

            @Override
            public java.util.Optional<BootResponse> respond(BootClient client, BootIntent intent) {
                String cfg = "pxelinux.cfg/01-" + client.mac().replace(':', '-');
                return java.util.Optional
                        .of(new BootResponse("pxelinux.0", Map.of(cfg, "DEFAULT local\nLABEL local\n  LOCALBOOT 0\n")));
            }
        };
        BootService boot = new BootService(new FakePlugins(bios));
        PxeStats stats = new PxeStats();
        PxeResponder responder = new PxeResponder((Inet4Address) lo, "http://127.0.0.1:8181/opendpm/boot/",
                client -> boot.boot(client).map(BootService.Decision::response), stats);
        PxeServer proxy = new PxeServer(Service.PROXY_DHCP, new InetSocketAddress(lo, Integer.parseInt(args[0])),
                new InetSocketAddress(InetAddress.getByName("255.255.255.255"), Integer.parseInt(args[1])),
                responder, stats);
        proxy.start();
        System.out.println("listening on " + proxy.localAddress().getPort());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("stats " + stats.snapshot())));
        Thread.currentThread().join();
    }
}
