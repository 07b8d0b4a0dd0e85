package org.opendpm.netboot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.netboot.internal.tftp.GeneratedFileSource;
import org.opendpm.netboot.internal.tftp.TftpServerConfig;

/** The DS component built by hand, as SCR would: activate, modify, deactivate (NET-1, NET-5). */
public class TftpServerComponentTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private TftpServerComponent component;

    @After
    public void tearDown() {
        if (component != null) {
            component.deactivate();
        }
    }

    /** A Config whose methods answer from {@code values}, else the annotation's defaults (as SCR does). */
    private static TftpServerComponent.Config config(Map<String, Object> values) {
        return (TftpServerComponent.Config) Proxy.newProxyInstance(TftpServerComponent.Config.class.getClassLoader(),
                new Class<?>[]{ TftpServerComponent.Config.class }, (proxy, method, args) -> {
                    if (values.containsKey(method.getName())) {
                        return values.get(method.getName());
                    }
                    return method.getDefaultValue();
                });
    }

    private Map<String, Object> values(Path root, int port) {
        Map<String, Object> v = new HashMap<>();
        v.put("rootFolder", root.toString());
        v.put("port", port);
        v.put("ioThreads", 1);
        return v;
    }

    private static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    public void defaultsAreLoopback6969AndKarafDataRoot() throws Exception {
        TftpServerConfig c = TftpServerComponent.toServerConfig(config(Map.of()), "/opt/karaf/data");
        assertThat(c.bindAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(6969);
        assertThat(c.root()).isEqualTo(Path.of("/opt/karaf/data/tftp"));
        assertThat(c.writeFolder()).isEmpty();
        assertThat(c.maxBlockSize()).isEqualTo(65464);
        assertThat(c.maxActiveTransfers()).isEqualTo(64);
        assertThat(TftpServerComponent.resolveRoot("", "/d")).isEqualTo(Path.of("/d/tftp"));
        assertThat(TftpServerComponent.resolveRoot("/srv/tftp", "/d")).isEqualTo(Path.of("/srv/tftp"));
    }

    @Test
    public void activateModifyDeactivate() throws Exception {
        Path root = tmp.newFolder("tftp").toPath();
        Files.writeString(root.resolve("pxelinux.0"), "boot");
        int port = freePort();
        Map<String, Object> v = values(root, port);
        component = new TftpServerComponent(config(v));
        assertThat(component.localAddress()).contains(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        assertThat(fetch(port, "pxelinux.0")).isEqualTo("boot");

        int other = freePort();
        v.put("port", other);
        component.modified(config(v));
        assertThat(component.localAddress()).map(InetSocketAddress::getPort).contains(other);
        assertThat(fetch(other, "pxelinux.0")).isEqualTo("boot");
        // the old port is free again
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            assertThat(s.isBound()).isTrue();
        }

        v.put("enabled", false);
        component.modified(config(v));
        assertThat(component.localAddress()).isEmpty();
        assertThat(component.stats()).isEmpty();

        v.put("enabled", true);
        component.modified(config(v));
        assertThat(component.stats()).isPresent();
        component.deactivate();
        assertThat(component.localAddress()).isEmpty();
        component = null;
    }

    @Test
    public void portInUseLeavesTheComponentWaitingForABetterConfiguration() throws Exception {
        Path root = tmp.newFolder("tftp").toPath();
        try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Map<String, Object> v = values(root, taken.getLocalPort());
            component = new TftpServerComponent(config(v));
            assertThat(component.localAddress()).isEmpty();
            v.put("port", freePort());
            component.modified(config(v));
            assertThat(component.localAddress()).isPresent();
        }
    }

    @Test
    public void generatedSourcesAreAskedByRankingThenServiceId() throws Exception {
        Path root = tmp.newFolder("tftp").toPath();
        int port = freePort();
        component = new TftpServerComponent(config(values(root, port)));
        GeneratedFileSource low = (path, client) -> Optional.of("low".getBytes(StandardCharsets.US_ASCII));
        GeneratedFileSource high = (path, client) -> path.equals("grub.cfg")
                ? Optional.of("high".getBytes(StandardCharsets.US_ASCII))
                : Optional.empty();
        GeneratedFileSource sameRankLaterId = (path, client) -> Optional
                .of("later".getBytes(StandardCharsets.US_ASCII));
        component.addGeneratedFileSource(low, Map.of("service.ranking", 0, "service.id", 10L));
        component.addGeneratedFileSource(sameRankLaterId, Map.of("service.ranking", 0, "service.id", 11L));
        component.addGeneratedFileSource(high, Map.of("service.ranking", 100, "service.id", 12L));
        assertThat(fetch(port, "grub.cfg")).isEqualTo("high");
        assertThat(fetch(port, "boot.ipxe")).isEqualTo("low");
        component.removeGeneratedFileSource(low);
        assertThat(fetch(port, "boot.ipxe")).isEqualTo("later");
    }

    /** A lock-step download of a small file through the raw test client. */
    private static String fetch(int port, String name) throws Exception {
        try (var c = new org.opendpm.netboot.internal.tftp.TestClients.Raw()) {
            return new String(c.download(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), name),
                    StandardCharsets.US_ASCII);
        }
    }
}
