package org.opendpm.rest.internal.dto;

import java.util.List;
import java.util.Map;

import org.opendpm.api.inventory.MachinePage;
import org.opendpm.api.scenario.Assignment;

/** One page of machines, in the order asked for, each with its assigned scenario, and how many match in all. */
public record MachinePageDto(List<MachineDto> machines, long total, int offset, int limit) {

    public static MachinePageDto of(MachinePage p, Map<Long, Assignment> assignments) {
        return new MachinePageDto(p.machines().stream().map(m -> MachineDto.of(m, assignments.get(m.id()))).toList(),
                p.total(), p.offset(), p.limit());
    }
}
