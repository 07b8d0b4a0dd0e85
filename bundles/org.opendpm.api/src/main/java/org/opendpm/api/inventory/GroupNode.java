package org.opendpm.api.inventory;

import java.util.List;

/** A group with its sub-groups, sorted by name: one node of the group tree. */
public record GroupNode(MachineGroup group, List<GroupNode> children) {

    public GroupNode {
        children = List.copyOf(children);
    }
}
