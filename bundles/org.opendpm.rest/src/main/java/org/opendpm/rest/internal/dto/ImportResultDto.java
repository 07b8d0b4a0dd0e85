package org.opendpm.rest.internal.dto;

import org.opendpm.api.inventory.ImportResult;

/** A CSV import done: machines imported, groups created for them. */
public record ImportResultDto(int machines, int groupsCreated) {

    public static ImportResultDto of(ImportResult r) {
        return new ImportResultDto(r.machines(), r.groupsCreated());
    }
}
