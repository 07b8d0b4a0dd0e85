package org.opendpm.api.inventory;

import java.time.Instant;
import java.util.Optional;

/** A machine listed under New Machine: seen, not yet registered (INV-4). */
public record NewMachine(long id, String mac, Optional<String> uuid, Optional<String> ip, Optional<String> name,
        SeenBy seenBy, Instant firstSeen, Instant lastSeen) {
}
