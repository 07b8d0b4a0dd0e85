package org.opendpm.api.scenario;

import java.util.Map;
import java.util.Objects;

/**
 * One plugin tab of a scenario (SCN-2).
 *
 * @param type the scenario-type key of the plugin, e.g. {@code backup-restore}
 * @param settingsVersion the version of {@code settings}: the plugin's current version when the plugin is present
 *            (older settings are migrated on read), else the version stored
 * @param settings the tab's settings document (JSON values: strings, numbers, booleans, lists, maps, nulls)
 */
public record ScenarioTab(String type, int settingsVersion, Map<String, Object> settings) {

    public ScenarioTab {
        Objects.requireNonNull(type, "type");
        settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
    }
}
