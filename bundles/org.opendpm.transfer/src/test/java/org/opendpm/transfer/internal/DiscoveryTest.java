package org.opendpm.transfer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.Test;

/** The server discovery responder (OSI-6) on loopback. */
public class DiscoveryTest {

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String ask(DatagramSocket client, int port, String text) throws Exception {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        client.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), port));
        DatagramPacket answer = new DatagramPacket(new byte[512], 512);
        try {
            client.receive(answer);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII);
    }

    @Test
    public void aDiscoveryRequestIsAnsweredWithHostPortAndFingerprint_OSI6() throws Exception {
        int port = freeUdpPort();
        try (LinkFixture f = new LinkFixture(Map.of("discoveryPort", port));
                DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(2000);
            assertThat(f.link.discoveryAddress()).isPresent();
            assertThat(ask(client, port, "OPENDPM-DISCOVER 1")).isEqualTo("OPENDPM-SERVER 1 127.0.0.1 "
                    + f.address().getPort() + " " + f.fingerprint());

            client.setSoTimeout(500);
            assertThat(ask(client, port, "OPENDPM-DISCOVER 2")).isNull();
            assertThat(ask(client, port, "GET / HTTP/1.0")).isNull();
            assertThat(f.link.stats().get(LinkStats.Kind.DISCOVERY_IGNORED)).isEqualTo(2);
            assertThat(f.link.stats().get(LinkStats.Kind.DISCOVERY_ANSWERED)).isEqualTo(1);
        }
    }

    @Test
    public void theAdvertisedHostIsAnsweredWhenConfigured() throws Exception {
        int port = freeUdpPort();
        try (LinkFixture f = new LinkFixture(Map.of("discoveryPort", port, "advertisedHost", "dpm.example.org"));
                DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(2000);
            assertThat(ask(client, port, "OPENDPM-DISCOVER 1\n")).startsWith("OPENDPM-SERVER 1 dpm.example.org ");
        }
    }

    @Test
    public void discoveryCanBeTurnedOff() throws Exception {
        try (LinkFixture f = new LinkFixture(Map.of("discoveryPort", freeUdpPort(), "discoveryEnabled", false))) {
            assertThat(f.link.discoveryAddress()).isEmpty();
        }
    }
}
