package org.opendpm.rest.internal.dto;

import java.util.List;

import org.opendpm.api.inventory.GroupNode;
import org.opendpm.api.inventory.MachineGroup;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A machine group; {@code children} is set only in the tree.
 *
 * @param machineCount machines directly in the group
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GroupDto(long id, String path, String name, Long parentId, int depth, NetworkDto network,
        long machineCount, List<GroupDto> children) {

    public static GroupDto of(MachineGroup g) {
        return new GroupDto(g.id(), g.path(), g.name(), g.parentId().orElse(null), g.depth(),
                NetworkDto.of(g.network()),
                g.machineCount(), null);
    }

    public static GroupDto of(GroupNode n) {
        MachineGroup g = n.group();
        return new GroupDto(g.id(), g.path(), g.name(), g.parentId().orElse(null), g.depth(),
                NetworkDto.of(g.network()),
                g.machineCount(), n.children().stream().map(GroupDto::of).toList());
    }
}
