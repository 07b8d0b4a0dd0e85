package org.opendpm.netboot.internal.pxe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendpm.netboot.internal.pxe.PxeResponder.Service;
import org.opendpm.netboot.internal.pxe.PxeStats.Malformed;
import org.opendpm.spi.BootResponse;

/** Both services on real UDP sockets on 127.0.0.1; the client socket stands in for port 68. */
public class PxeServerTest {

    private final PxeStats stats = new PxeStats();
    private DatagramSocket client;
    private PxeServer proxy;
    private PxeServer bootServer;

    @Before
    public void start() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        client = new DatagramSocket(new InetSocketAddress(lo, 0));
        client.setSoTimeout(3000);
        PxeResponder responder = new PxeResponder((Inet4Address) lo, "http://127.0.0.1:1/",
                c -> Optional.of(new BootResponse("pxelinux.0", Map.of())), stats);
        InetSocketAddress broadcast = new InetSocketAddress(lo, client.getLocalPort());
        proxy = new PxeServer(Service.PROXY_DHCP, new InetSocketAddress(lo, 0), broadcast, responder, stats);
        bootServer = new PxeServer(Service.BOOT_SERVER, new InetSocketAddress(lo, 0), broadcast, responder, stats);
        proxy.start();
        bootServer.start();
    }

    @After
    public void stop() {
        proxy.stop();
        bootServer.stop();
        client.close();
    }

    private void send(PxeServer to, byte[] data) throws Exception {
        client.send(new DatagramPacket(data, data.length, to.localAddress()));
    }

    private DhcpPacket receive() throws Exception {
        byte[] buf = new byte[1500];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        client.receive(p);
        return DhcpCodec.decode(Arrays.copyOf(buf, p.getLength()));
    }

    @Test
    public void proxyDhcpBroadcastsTheOfferAndBootServerAnswersTheSender() throws Exception {
        send(proxy, Requests.pxe(DhcpPacket.DISCOVER, 0).build());
        DhcpPacket offer = receive();
        assertThat(offer.messageType()).isEqualTo(DhcpPacket.OFFER);
        assertThat(offer.file()).isEqualTo("pxelinux.0");
        send(bootServer, Requests.pxe(DhcpPacket.REQUEST, 0).flags(0).ciaddr(new byte[]{ 127, 0, 0, 1 }).build());
        DhcpPacket ack = receive();
        assertThat(ack.messageType()).isEqualTo(DhcpPacket.ACK);
    }

    @Test
    public void malformedPacketsAreCountedAndTheServiceGoesOn() throws Exception {
        send(proxy, new byte[]{ 1, 2, 3 });
        send(proxy, new Requests().option(53, 1).raw(60, 200, 'P').build(false));
        send(bootServer, Requests.pxe(3, 0).option(61, new byte[0]).build());
        send(bootServer, new Requests().option(53, 3).option(60, "PXEClient").option(93, 1).build());
        send(proxy, Requests.pxe(DhcpPacket.DISCOVER, 0).build());
        assertThat(receive().messageType()).isEqualTo(DhcpPacket.OFFER);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (stats.snapshot().malformedTotal() < 4 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        PxeStats.Snapshot s = stats.snapshot();
        assertThat(s.count(Malformed.TRUNCATED)).isEqualTo(1);
        assertThat(s.count(Malformed.OPTION_OVERRUN)).isEqualTo(1);
        assertThat(s.count(Malformed.BAD_OPTION)).isEqualTo(2);
        assertThat(s.received()).isEqualTo(5);
        client.setSoTimeout(300);
        try {
            receive();
            throw new AssertionError("a malformed packet was answered");
        } catch (SocketTimeoutException expected) {
            // nothing else was answered
        }
    }
}
