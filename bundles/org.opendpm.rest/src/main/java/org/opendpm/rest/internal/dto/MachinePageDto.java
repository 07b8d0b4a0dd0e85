package org.opendpm.rest.internal.dto;

import java.util.List;

import org.opendpm.api.inventory.MachinePage;

/** One page of machines, ordered by name, and how many match in all. */
public record MachinePageDto(List<MachineDto> machines, long total, int offset, int limit) {

    public static MachinePageDto of(MachinePage p) {
        return new MachinePageDto(p.machines().stream().map(MachineDto::of).toList(), p.total(), p.offset(), p.limit());
    }
}
