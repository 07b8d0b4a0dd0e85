package org.opendpm.rest.internal.dto;

import java.util.List;

import org.opendpm.api.scenario.ScenarioGroup;
import org.opendpm.api.scenario.ScenarioGroupNode;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A scenario group; {@code children} is set only in the tree.
 *
 * @param builtIn "Built-in Scenarios", which cannot be renamed or deleted
 * @param scenarioCount scenarios directly in the group
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScenarioGroupDto(long id, String path, String name, Long parentId, int depth, boolean builtIn,
        long scenarioCount, List<ScenarioGroupDto> children) {

    public static ScenarioGroupDto of(ScenarioGroup g) {
        return new ScenarioGroupDto(g.id(), g.path(), g.name(), g.parentId().orElse(null), g.depth(), g.builtIn(),
                g.scenarioCount(), null);
    }

    public static ScenarioGroupDto of(ScenarioGroupNode n) {
        ScenarioGroup g = n.group();
        return new ScenarioGroupDto(g.id(), g.path(), g.name(), g.parentId().orElse(null), g.depth(), g.builtIn(),
                g.scenarioCount(), n.children().stream().map(ScenarioGroupDto::of).toList());
    }
}
