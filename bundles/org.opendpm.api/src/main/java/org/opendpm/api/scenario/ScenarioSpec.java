package org.opendpm.api.scenario;

import java.util.Map;

/**
 * What an administrator gives to create or replace a scenario.
 *
 * @param name unique among scenarios, letter case ignored; 1 to 255 characters, no control characters
 * @param groupId the scenario group holding it
 * @param tabs settings documents by scenario-type key; each is validated by its plugin
 * @param options the Option tab; {@code null} means {@link ScenarioOptions#DEFAULT}
 */
public record ScenarioSpec(String name, long groupId, Map<String, Map<String, Object>> tabs,
        ScenarioOptions options) {

    public ScenarioSpec {
        tabs = tabs == null ? Map.of() : tabs;
        options = options == null ? ScenarioOptions.DEFAULT : options;
    }
}
