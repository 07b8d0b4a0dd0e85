package org.opendpm.api.scenario;

import java.util.List;
import java.util.Optional;

/**
 * A scenario (SCN-2, SCN-3, SCN-4).
 *
 * @param tabs the plugin tabs, sorted by type
 * @param builtIn one of the Built-in Scenarios, which cannot be edited or deleted
 * @param description what a built-in scenario does; empty for the administrators' own
 * @param available whether every tab's plugin is present and can read the tab's settings
 * @param unavailableReason why not, e.g. {@code plugin unavailable: os-linux}; empty when available
 * @param assignedMachines machines this scenario is assigned to
 */
public record Scenario(long id, String name, long groupId, String groupPath, List<ScenarioTab> tabs,
        ScenarioOptions options, boolean builtIn, Optional<String> description, boolean available,
        Optional<String> unavailableReason, long assignedMachines) {

    public Scenario {
        tabs = List.copyOf(tabs);
    }
}
