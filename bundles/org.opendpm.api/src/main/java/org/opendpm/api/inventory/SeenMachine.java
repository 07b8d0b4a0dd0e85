package org.opendpm.api.inventory;

import java.util.Objects;
import java.util.Optional;

/**
 * A machine the network boot or the agent has just seen.
 *
 * @param mac the NIC it was seen on, in any accepted form
 * @param uuid the SMBIOS UUID, when the firmware or agent reported one
 * @param ip the address, known only to the agent
 * @param name the machine (host) name, known only to the agent; used by {@code GroupAsName.ini}
 */
public record SeenMachine(SeenBy seenBy, String mac, Optional<String> uuid, Optional<String> ip,
        Optional<String> name) {

    public SeenMachine {
        Objects.requireNonNull(seenBy, "seenBy");
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(name, "name");
    }
}
