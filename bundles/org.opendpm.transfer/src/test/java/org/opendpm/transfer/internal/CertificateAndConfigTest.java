package org.opendpm.transfer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.opendpm.transfer.internal.LinkFixture.mac;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;

import org.opendpm.agent.protocol.Message;
import org.junit.Test;

/** The TLS identity survives restarts; configuration changes rebind; stopping leaves no threads behind. */
public class CertificateAndConfigTest {

    @Test
    public void theCertificateIsGeneratedOnceAndReusedOnRestart() throws Exception {
        try (LinkFixture f = new LinkFixture()) {
            String fingerprint = f.fingerprint();
            assertThat(fingerprint).matches("[0-9a-f]{64}");
            var store = f.dataFolder.resolve(ServerCertificate.KEY_STORE);
            var password = f.dataFolder.resolve(ServerCertificate.PASSWORD_FILE);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(password))).isEqualTo("rw-------");
            String credential = f.registerAgent(mac(1), "before");

            f.link.deactivate();
            f.start(Map.of());
            assertThat(f.fingerprint()).isEqualTo(fingerprint);
            // An agent pinning the old fingerprint and holding its credential carries on.
            try (TestAgent agent = f.connect()) {
                agent.send(LinkFixture.hello(mac(1), credential, "before"));
                agent.expect(Message.Welcome.class);
            }
        }
    }

    @Test
    public void theCertificateIsEcP256SelfSignedForTenYears() throws Exception {
        ServerCertificate c = ServerCertificate.generate("agent-host");
        X509Certificate x = c.certificate();
        assertThat(x.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(x.getSubjectX500Principal().getName()).contains("CN=agent-host");
        assertThat(x.getIssuerX500Principal()).isEqualTo(x.getSubjectX500Principal());
        x.verify(x.getPublicKey());
        long days = Duration.between(x.getNotBefore().toInstant(), x.getNotAfter().toInstant()).toDays();
        assertThat(days).isBetween(3652L, 3654L);
        assertThat(((java.security.interfaces.ECPublicKey) x.getPublicKey()).getParams().getCurve().getField()
                .getFieldSize()).isEqualTo(256);
    }

    @Test
    public void aKeyStoreWithoutItsPasswordFileIsAClearError() throws Exception {
        var folder = Files.createTempDirectory("cert");
        ServerCertificate.loadOrCreate(folder);
        Files.delete(folder.resolve(ServerCertificate.PASSWORD_FILE));
        assertThatThrownBy(() -> ServerCertificate.loadOrCreate(folder)).hasMessageContaining("password file")
                .hasMessageContaining("delete");
    }

    @Test
    public void aConfigurationChangeRebindsToTheNewPort() throws Exception {
        try (LinkFixture f = new LinkFixture()) {
            InetSocketAddress old = f.address();
            int newPort;
            try (ServerSocket probe = new ServerSocket(0)) {
                newPort = probe.getLocalPort();
            }
            f.link.modified(LinkFixture.config(Map.of("port", newPort, "heartbeatSeconds", 7)));
            assertThat(f.address().getPort()).isEqualTo(newPort);
            assertThatThrownBy(() -> TestAgent.connect(old, f.fingerprint())).isInstanceOf(ConnectException.class);
            String credential = f.registerAgent(mac(2), "moved");
            try (TestAgent agent = f.connect()) {
                agent.send(LinkFixture.hello(mac(2), credential, "moved"));
                assertThat(agent.expect(Message.Welcome.class).heartbeatSeconds()).isEqualTo(7);
                // Only a rate limit changes: the open session is kept.
                f.link.modified(LinkFixture.config(Map.of("port", newPort, "heartbeatSeconds", 7,
                        "maxConnectionsPerSecond", 100)));
                agent.send(new Message.Heartbeat());
                Thread.sleep(200);
                assertThat(f.link.agents()).hasSize(1);
            }
            f.link.modified(LinkFixture.config(Map.of("enabled", false)));
            assertThat(f.link.listenAddress()).isEmpty();
            assertThat(f.link.status().port()).isZero();
        }
    }

    @Test
    public void stoppingReleasesEveryThread() throws Exception {
        try (LinkFixture f = new LinkFixture()) {
            f.registerAgent(mac(3), "t");
            f.link.deactivate();
            f.link = null;
            LinkFixture.await("agent link threads to end", Duration.ofSeconds(10), () -> Thread.getAllStackTraces()
                    .keySet().stream().noneMatch(t -> t.getName().startsWith("opendpm-agent") && t.isAlive()));
        }
    }
}
