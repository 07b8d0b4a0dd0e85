package org.opendpm.api.scenario;

import java.util.Optional;

/**
 * A scenario group (SCN-1).
 *
 * @param path the full path, {@code /Linux/Web}
 * @param name the last segment of the path
 * @param parentId the enclosing group; empty for a top-level group
 * @param depth the layer: 1 for a top-level group, at most 20
 * @param builtIn whether this is "Built-in Scenarios", which cannot be renamed or deleted (SCN-4)
 * @param scenarioCount scenarios directly in this group
 */
public record ScenarioGroup(long id, String path, String name, Optional<Long> parentId, int depth, boolean builtIn,
        long scenarioCount) {
}
