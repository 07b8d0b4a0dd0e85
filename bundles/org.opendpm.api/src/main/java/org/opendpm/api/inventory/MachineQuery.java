package org.opendpm.api.inventory;

import java.util.Objects;
import java.util.Optional;

/**
 * Which machines to list, one page at a time, in the order {@code sort} (by name unless told).
 *
 * @param groupId only machines of this group; empty for all
 * @param includeSubgroups with {@code groupId}: also the machines of its sub-groups, at any depth
 * @param text matched, ignoring case, as a substring of the name, IP, UUID, model or any MAC (in canonical form)
 * @param offset machines to skip, 0 or more
 * @param limit page size, 1 to {@value #MAX_LIMIT}
 * @param sort the column the machines are ordered by
 * @param descending whether the order is reversed (ties are still broken by name, ascending)
 */
public record MachineQuery(Optional<Long> groupId, boolean includeSubgroups, Optional<MachineStatus> status,
        Optional<String> text, int offset, int limit, MachineSort sort, boolean descending) {

    public static final int MAX_LIMIT = 1000;

    public MachineQuery {
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(sort, "sort");
    }

    /** A query ordered by name. */
    public MachineQuery(Optional<Long> groupId, boolean includeSubgroups, Optional<MachineStatus> status,
            Optional<String> text, int offset, int limit) {
        this(groupId, includeSubgroups, status, text, offset, limit, MachineSort.NAME, false);
    }

    /** Every machine, first page of {@code limit}. */
    public static MachineQuery all(int limit) {
        return new MachineQuery(Optional.empty(), false, Optional.empty(), Optional.empty(), 0, limit);
    }
}
