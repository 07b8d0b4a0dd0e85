package org.opendpm.api.inventory;

import java.util.Optional;

/**
 * A machine group (INV-1, INV-2).
 *
 * @param path the full path, {@code /Group2/Subgroup21}
 * @param name the last segment of the path
 * @param parentId the enclosing group; empty for a group directly under the root ("Machines")
 * @param depth the layer: 1 for a top-level group, at most 20
 * @param machineCount machines directly in this group (not in its sub-groups)
 */
public record MachineGroup(long id, String path, String name, Optional<Long> parentId, int depth,
        NetworkSetting network, long machineCount) {
}
