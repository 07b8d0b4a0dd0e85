package org.opendpm.plugin.boot.fake.internal;

import java.util.Map;
import java.util.Optional;

import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.BootResponse;
import org.osgi.service.component.annotations.Component;

/**
 * A boot protocol for any client that answers with a plain-text description of the intent as its only generated
 * file, so tests can check boot decisions without firmware. Ranked below every real protocol.
 */
@Component(property = { BootProtocol.PROPERTY + "=fake", "service.ranking:Integer=-1000" })
public class FakeBootProtocol implements BootProtocol {

    static final String FILE_PREFIX = "fake/";

    @Override
    public boolean supports(BootClient client) {
        return true;
    }

    @Override
    public Optional<BootResponse> respond(BootClient client, BootIntent intent) {
        String file = FILE_PREFIX + client.mac().replace(':', '-') + ".txt";
        String text;
        if (intent instanceof BootIntent.DeployOsBoot d) {
            text = "deploy-os " + d.deployOs().id() + "\n";
        } else if (intent instanceof BootIntent.OsInstaller o) {
            text = "os-installer " + o.kernel() + " " + o.bootArguments() + "\n";
        } else if (intent instanceof BootIntent.RegistrationMenu r) {
            text = "registration-menu " + r.powerOffSeconds() + " " + r.message() + "\n";
        } else if (intent instanceof BootIntent.LocalDisk) {
            text = "local-disk\n";
        } else {
            return Optional.empty(); // an intent this protocol cannot carry out: the core asks the next
        }
        return Optional.of(new BootResponse(file, Map.of(file, text)));
    }
}
