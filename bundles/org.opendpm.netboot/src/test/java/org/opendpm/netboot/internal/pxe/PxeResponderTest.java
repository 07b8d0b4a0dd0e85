package org.opendpm.netboot.internal.pxe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;
import org.opendpm.netboot.internal.pxe.PxeResponder.Service;
import org.opendpm.netboot.internal.pxe.PxeStats.Outcome;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootResponse;

public class PxeResponderTest {

    private final List<BootClient> asked = new ArrayList<>();
    private final PxeStats stats = new PxeStats();
    private final PxeResponder responder = new PxeResponder(address("192.0.2.10"),
            "http://192.0.2.10:8181/opendpm/boot",
            client -> {
                asked.add(client);
                if (client.architecture() == 0xfffe) {
                    return Optional.empty();
                }
                String file = client.isIpxe() ? "boot.ipxe" : client.architecture() == 0 ? "pxelinux.0" : "grubx64.efi";
                return Optional.of(new BootResponse(file, Map.of()));
            }, stats);

    private static Inet4Address address(String a) {
        try {
            return (Inet4Address) InetAddress.getByName(a);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static PxeRequest read(Requests r) throws MalformedDhcpException {
        return PxeRequest.of(DhcpCodec.decode(r.build()));
    }

    private Optional<DhcpPacket> answer(Service s, Requests r) throws MalformedDhcpException {
        PxeRequest req = read(r);
        return responder.wanted(s, req) ? responder.answer(s, req) : Optional.empty();
    }

    @Test
    public void proxyDhcpOffersNoAddressButServerAndBootFile() throws Exception {
        DhcpPacket offer = answer(Service.PROXY_DHCP, Requests.pxe(DhcpPacket.DISCOVER, 0)).orElseThrow();
        assertThat(offer.op()).isEqualTo(DhcpPacket.BOOTREPLY);
        assertThat(offer.messageType()).isEqualTo(DhcpPacket.OFFER);
        assertThat(offer.xid()).isEqualTo(0x1234abcd);
        assertThat(offer.yiaddr()).containsExactly(0, 0, 0, 0);
        assertThat(offer.siaddr()).containsExactly(192, 0, 2, 10);
        assertThat(offer.option(DhcpPacket.OPT_SERVER_ID).orElseThrow()).containsExactly(192, 0, 2, 10);
        assertThat(new String(offer.option(60).orElseThrow(), StandardCharsets.US_ASCII)).isEqualTo("PXEClient");
        assertThat(offer.option(97).orElseThrow()).isEqualTo(Requests.uuidOption());
        assertThat(offer.option(43).orElseThrow()).containsExactly(6, 1, 8, 255);
        assertThat(offer.file()).isEqualTo("pxelinux.0");
        assertThat(offer.mac()).isEqualTo(Requests.MAC_TEXT);
        assertThat(asked).extracting(BootClient::uuid).containsExactly(Optional.of(Requests.UUID_TEXT));
        assertThat(stats.snapshot().count(Outcome.ANSWERED)).isEqualTo(1);
    }

    @Test
    public void bootServerAcksARequestAndEchoesTheBootItem() throws Exception {
        DhcpPacket ack = answer(Service.BOOT_SERVER,
                Requests.pxe(DhcpPacket.REQUEST, 7).ciaddr(new byte[]{ 10, 1, 1, 5 })
                        .option(43, 71, 4, 0x80, 0x00, 0, 0, 255))
                .orElseThrow();
        assertThat(ack.messageType()).isEqualTo(DhcpPacket.ACK);
        assertThat(ack.ciaddr()).containsExactly(10, 1, 1, 5);
        assertThat(ack.file()).isEqualTo("grubx64.efi");
        assertThat(ack.option(43).orElseThrow()).containsExactly(6, 1, 8, 71, 4, 0x80, 0, 0, 0, 255);
    }

    @Test
    public void ipxeAndHttpClientsGetAUrl() throws Exception {
        DhcpPacket ipxe = answer(Service.PROXY_DHCP, Requests.pxe(1, 0).option(77, "iPXE")).orElseThrow();
        assertThat(ipxe.file()).isEqualTo("http://192.0.2.10:8181/opendpm/boot/boot.ipxe");
        DhcpPacket http = answer(Service.PROXY_DHCP, new Requests().option(53, 1)
                .option(60, "HTTPClient:Arch:00016:UNDI:003001").option(93, 0, 16)).orElseThrow();
        assertThat(http.file()).isEqualTo("http://192.0.2.10:8181/opendpm/boot/grubx64.efi");
        assertThat(new String(http.option(60).orElseThrow(), StandardCharsets.US_ASCII)).isEqualTo("HTTPClient");
        assertThat(http.option(43)).isEmpty();
    }

    @Test
    public void eachServiceAnswersOnlyItsMessageTypes() throws Exception {
        assertThat(answer(Service.PROXY_DHCP, Requests.pxe(DhcpPacket.REQUEST, 0))).isEmpty();
        assertThat(answer(Service.BOOT_SERVER, Requests.pxe(DhcpPacket.DISCOVER, 0))).isEmpty();
        assertThat(answer(Service.BOOT_SERVER, Requests.pxe(4, 0))).isEmpty(); // DECLINE
        assertThat(answer(Service.BOOT_SERVER, Requests.pxe(DhcpPacket.INFORM, 0))).isPresent();
        assertThat(stats.snapshot().count(Outcome.IGNORED_TYPE)).isEqualTo(3);
        assertThat(asked).hasSize(1);
    }

    @Test
    public void nonPxeClientsAreLeftToTheSiteDhcpServer() throws Exception {
        assertThat(answer(Service.PROXY_DHCP, new Requests().option(53, 1).option(60, "MSFT 5.0"))).isEmpty();
        assertThat(stats.snapshot().count(Outcome.NOT_PXE)).isEqualTo(1);
        assertThat(asked).isEmpty();
    }

    @Test
    public void unsupportedArchitectureIsCountedNotAnswered() throws Exception {
        assertThat(answer(Service.PROXY_DHCP, Requests.pxe(1, 0xfffe))).isEmpty();
        assertThat(stats.snapshot().count(Outcome.NO_BOOT_PROTOCOL)).isEqualTo(1);
    }
}
