package org.opendpm.api.inventory;

import java.util.List;

/** One page of machines and how many match in all. */
public record MachinePage(List<Machine> machines, long total, int offset, int limit) {

    public MachinePage {
        machines = List.copyOf(machines);
    }
}
