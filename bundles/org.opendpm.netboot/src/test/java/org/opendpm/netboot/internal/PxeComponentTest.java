package org.opendpm.netboot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.junit.After;
import org.junit.Test;
import org.opendpm.netboot.internal.pxe.DhcpCodec;
import org.opendpm.netboot.internal.pxe.DhcpPacket;
import org.opendpm.netboot.internal.pxe.PxeResponder.Service;
import org.opendpm.netboot.internal.pxe.PxeStats;
import org.opendpm.netboot.internal.pxe.Requests;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.BootResponse;

public class PxeComponentTest {

    private static final BootProtocol BIOS = new BootProtocol() {
        @Override
        public boolean supports(BootClient client) {
            return client.architecture() == BootClient.ARCH_BIOS;
        }

        @Override
        public java.util.Optional<BootResponse> respond(BootClient client, BootIntent intent) {
            return java.util.Optional
                    .of(new BootResponse("pxelinux.0", Map.of("pxelinux.cfg/01-" + client.mac().replace(':', '-'),
                            intent.getClass().getSimpleName())));
        }
    };

    private final FakeInventory inventory = new FakeInventory(java.util.Set.of(), java.util.Set.of());
    private final BootService boot = new BootService(new FakePlugins(BIOS));
    private PxeComponent component;

    /** A Config whose methods answer from {@code values}, else the annotation's defaults (as SCR does). */
    private static PxeComponent.Config config(Map<String, Object> values) {
        return (PxeComponent.Config) Proxy.newProxyInstance(PxeComponent.Config.class.getClassLoader(),
                new Class<?>[]{ PxeComponent.Config.class }, (proxy, method, args) -> values
                        .containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue());
    }

    @After
    public void stop() {
        if (component != null) {
            component.deactivate();
        }
    }

    @Test
    public void offByDefault() {
        component = new PxeComponent(config(Map.of()), boot);
        assertThat(component.localAddress(Service.BOOT_SERVER)).isEmpty();
        assertThat(component.localAddress(Service.PROXY_DHCP)).isEmpty();
    }

    @Test
    public void bootServerAnswersAndRegistersTheMachineThenStopsWhenDisabled() throws Exception {
        boot.setInventory(inventory.service());
        Map<String, Object> v = new HashMap<>();
        v.put("bootServerEnabled", true);
        v.put("bootServerPort", 0);
        v.put("httpBootUrl", "http://127.0.0.1:8181/opendpm/boot/");
        component = new PxeComponent(config(v), boot);
        InetSocketAddress at = component.localAddress(Service.BOOT_SERVER).orElseThrow();
        assertThat(component.localAddress(Service.PROXY_DHCP)).isEmpty();
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(5000);
            byte[] req = Requests.pxe(DhcpPacket.REQUEST, 0).flags(0).ciaddr(new byte[]{ 127, 0, 0, 1 }).build();
            s.send(new DatagramPacket(req, req.length, at));
            byte[] buf = new byte[1500];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            DhcpPacket ack = DhcpCodec.decode(Arrays.copyOf(buf, p.getLength()));
            assertThat(ack.messageType()).isEqualTo(DhcpPacket.ACK);
            assertThat(ack.file()).isEqualTo("pxelinux.0");
            assertThat(ack.siaddr()).containsExactly(127, 0, 0, 1);
        }
        assertThat(inventory.seen).extracting(m -> m.mac() + " " + m.uuid().orElse("-"))
                .containsExactly(Requests.MAC_TEXT + " " + Requests.UUID_TEXT);
        assertThat(boot.generated("pxelinux.cfg/01-52-54-00-12-34-56")).isPresent();
        assertThat(component.stats().count(PxeStats.Outcome.ANSWERED)).isEqualTo(1);

        component.modified(config(Map.of()));
        assertThat(component.localAddress(Service.BOOT_SERVER)).isEmpty();
    }

    @Test
    public void wildcardBindWithoutServerAddressIsRefused() {
        component = new PxeComponent(config(Map.of("bootServerEnabled", true, "bootServerPort", 0, "bindAddress",
                "0.0.0.0")), boot);
        assertThat(component.localAddress(Service.BOOT_SERVER)).isEmpty();
    }
}
