package org.opendpm.api.scenario;

import java.util.List;

/** A scenario group with its sub-groups, sorted by name: one node of the tree. */
public record ScenarioGroupNode(ScenarioGroup group, List<ScenarioGroupNode> children) {

    public ScenarioGroupNode {
        children = List.copyOf(children);
    }
}
