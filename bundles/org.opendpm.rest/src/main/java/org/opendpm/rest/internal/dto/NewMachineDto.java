package org.opendpm.rest.internal.dto;

import org.opendpm.api.inventory.NewMachine;

/** A machine under New Machine; times in ISO-8601 UTC. */
public record NewMachineDto(long id, String mac, String uuid, String ip, String name, String seenBy, String firstSeen,
        String lastSeen) {

    public static NewMachineDto of(NewMachine m) {
        return new NewMachineDto(m.id(), m.mac(), m.uuid().orElse(null), m.ip().orElse(null), m.name().orElse(null),
                m.seenBy().name(), m.firstSeen().toString(), m.lastSeen().toString());
    }
}
