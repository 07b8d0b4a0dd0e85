package org.opendpm.rest.internal.dto;

import java.util.LinkedHashMap;
import java.util.Map;

import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioTab;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A scenario. {@code tabs} holds each plugin tab's settings by type, in the form a create or update takes;
 * {@code tabVersions} the settings version of each. {@code available} is false, with {@code unavailableReason}, when
 * a tab's plugin is missing: such a scenario cannot be assigned or executed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScenarioDto(long id, String name, long groupId, String groupPath, Map<String, Map<String, Object>> tabs,
        Map<String, Integer> tabVersions, ScenarioOptionsDto options, boolean builtIn, String description,
        boolean available, String unavailableReason, long assignedMachines) {

    public static ScenarioDto of(Scenario s) {
        Map<String, Map<String, Object>> tabs = new LinkedHashMap<>();
        Map<String, Integer> versions = new LinkedHashMap<>();
        for (ScenarioTab t : s.tabs()) {
            tabs.put(t.type(), t.settings());
            versions.put(t.type(), t.settingsVersion());
        }
        return new ScenarioDto(s.id(), s.name(), s.groupId(), s.groupPath(), tabs, versions,
                ScenarioOptionsDto.of(s.options()), s.builtIn(), s.description().orElse(null), s.available(),
                s.unavailableReason().orElse(null), s.assignedMachines());
    }
}
