package org.opendpm.scheduler.internal.engine;

import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

import org.opendpm.api.agent.AgentLink;
import org.opendpm.api.boot.BootIntentService;
import org.opendpm.api.boot.DeployOsSessions;
import org.opendpm.api.boot.PublishedFiles;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.scheduler.internal.files.ServerFiles;
import org.opendpm.scheduler.internal.images.multicast.MulticastSessions;
import org.opendpm.scheduler.internal.images.transfer.ImageTransfers;
import org.opendpm.scheduler.internal.power.PowerDrivers;
import org.opendpm.spi.ImageStore;

/**
 * The parts of the server step contexts act through. Network boot's services and multicast sessions are optional
 * (the feature, or the multicast sender, may be absent): a step that needs them fails with a clear message.
 */
record EngineServices(AgentLink agents, AgentWaits waits, PowerDrivers power, InventoryService inventory,
        ServerFiles files, ServerSettingsService settings, ImageStore images, ImageTransfers transfers,
        Supplier<Optional<BootIntentService>> bootIntents, Supplier<Optional<DeployOsSessions>> sessions,
        Supplier<Optional<PublishedFiles>> published, Supplier<Optional<MulticastSessions>> multicast, Clock clock) {
}
