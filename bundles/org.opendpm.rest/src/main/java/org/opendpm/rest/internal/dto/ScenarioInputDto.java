package org.opendpm.rest.internal.dto;

import java.util.Map;

/**
 * A scenario to create or the full new state of one: name, group (by {@code groupId} or {@code groupPath}), the
 * plugin tabs as settings objects by scenario-type key, and the Option tab.
 */
public record ScenarioInputDto(String name, Long groupId, String groupPath, Map<String, Map<String, Object>> tabs,
        ScenarioOptionsDto options) {
}
