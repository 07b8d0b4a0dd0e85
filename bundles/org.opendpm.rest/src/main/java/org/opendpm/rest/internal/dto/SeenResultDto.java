package org.opendpm.rest.internal.dto;

import org.opendpm.api.inventory.SeenResult;

/** What a sighting did: {@code NEW_MACHINE}, {@code NEW_MACHINE_UPDATED}, {@code KNOWN} or {@code AUTO_REGISTERED}. */
public record SeenResultDto(String outcome, long id) {

    public static SeenResultDto of(SeenResult r) {
        return new SeenResultDto(r.outcome().name(), r.id());
    }
}
