package org.opendpm.netboot.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.opendpm.plugin.boot.ipxehttp.internal.IpxeHttpBootProtocol;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.BootResponse;

/**
 * A {@link BootService} with the real iPXE plugin and a fake inventory, for tests in other packages of this bundle.
 * The plugin's class is used directly (a test-scoped dependency) so that real firmware runs the scripts we ship.
 */
public final class TestBoot {

    private final FakeInventory inventory;
    private final List<BootClient> clients = new CopyOnWriteArrayList<>();
    private final BootService service;

    private TestBoot(Set<String> forceskip) {
        this(forceskip, null);
    }

    /** With {@code intent}, every client is answered with it instead of the service's decision. */
    private TestBoot(Set<String> forceskip, BootIntent intent) {
        inventory = new FakeInventory(Set.of(), forceskip);
        BootProtocol ipxe = new IpxeHttpBootProtocol();
        BootProtocol recording = new BootProtocol() {
            @Override
            public boolean supports(BootClient client) {
                return ipxe.supports(client);
            }

            @Override
            public java.util.Optional<BootResponse> respond(BootClient client, BootIntent decided) {
                clients.add(client);
                return ipxe.respond(client, intent == null ? decided : intent);
            }
        };
        service = new BootService(new FakePlugins(recording));
        service.setInventory(inventory.service());
    }

    /** Every machine is new and gets the registration menu. */
    public static TestBoot withRegistrationMenu() {
        return new TestBoot(new HashSet<>());
    }

    /** Every machine gets this intent, whatever the service decided: for what firmware does with our scripts. */
    public static TestBoot withIntent(BootIntent intent) {
        return new TestBoot(new HashSet<>(), intent);
    }

    /** These MACs match forceskip.ini and boot their local disk. */
    public static TestBoot withForceskip(String... macs) {
        return new TestBoot(Set.of(macs));
    }

    public BootService service() {
        return service;
    }

    /** "mac uuid" of every machine reported to the inventory, in order. */
    public List<String> inventorySeen() {
        return inventory.seen.stream().map(m -> m.mac() + " " + m.uuid().orElse("-")).toList();
    }

    /** The clients the boot protocol answered. */
    public List<BootClient> clients() {
        return clients;
    }
}
