package org.opendpm.plugin.boot.fake.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.Test;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.DeployOs;
import org.opendpm.spi.testkit.BootClients;

public class FakeBootProtocolTest {

    private final FakeBootProtocol protocol = new FakeBootProtocol();

    @Test
    public void describesEachIntentInAFilePerMac() {
        var client = BootClients.uefi("00:11:22:33:44:55");
        assertThat(protocol.supports(client)).isTrue();
        var local = protocol.respond(client, new BootIntent.LocalDisk()).orElseThrow();
        assertThat(local.bootFile()).isEqualTo("fake/00-11-22-33-44-55.txt");
        assertThat(local.generatedFiles()).containsEntry("fake/00-11-22-33-44-55.txt", "local-disk\n");
        var deploy = protocol.respond(client,
                new BootIntent.DeployOsBoot(new DeployOs("ia32_110331_26", "k", "i", "", List.of()))).orElseThrow();
        assertThat(deploy.generatedFiles().values()).containsExactly("deploy-os ia32_110331_26\n");
        var menu = protocol.respond(client, new BootIntent.RegistrationMenu("Registered.", 30)).orElseThrow();
        assertThat(menu.generatedFiles().values()).containsExactly("registration-menu 30 Registered.\n");
    }
}
