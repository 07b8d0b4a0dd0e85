package org.opendpm.netboot.internal.pxe;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;

import org.opendpm.netboot.internal.pxe.PxeResponder.Service;
import org.opendpm.netboot.internal.pxe.PxeStats.Outcome;
import org.opendpm.spi.BootResponse;

/**
 * proxyDHCP and boot server in a process of their own, for interop tests that run them inside a network namespace
 * ({@code ip netns exec NS java -cp ... PxeServerMain BIND SERVER BROADCAST}). Prints {@code READY}, then {@code SEEN mac uuid
 * arch vendorclass} for every client it decides for, and {@code ANSWERED n} whenever the count of answers grows.
 */
public final class PxeServerMain {

    private PxeServerMain() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress bind = InetAddress.getByName(args[0]);
        Inet4Address server = (Inet4Address) InetAddress.getByName(args[1]);
        PxeStats stats = new PxeStats();
        PxeResponder responder = new PxeResponder(server, "http://" + args[1] + ":8181/opendpm/boot/", client -> {
            System.out.println("SEEN " + client.mac() + " " + client.uuid().orElse("-") + " "
                    + client.architecture());
            return Optional.of(new BootResponse("grubx64.efi", Map.of()));
        }, stats);
        InetSocketAddress broadcast = new InetSocketAddress(InetAddress.getByName(args[2]), 68);
        PxeServer proxy = new PxeServer(Service.PROXY_DHCP, new InetSocketAddress(bind, 67), broadcast, responder,
                stats);
        PxeServer bootServer = new PxeServer(Service.BOOT_SERVER, new InetSocketAddress(bind, 4011), broadcast,
                responder, stats);
        proxy.start();
        bootServer.start();
        System.out.println("READY");
        long answered = 0;
        while (true) {
            long now = stats.snapshot().count(Outcome.ANSWERED);
            if (now != answered) {
                answered = now;
                System.out.println("ANSWERED " + answered);
            }
            Thread.sleep(50);
        }
    }
}
