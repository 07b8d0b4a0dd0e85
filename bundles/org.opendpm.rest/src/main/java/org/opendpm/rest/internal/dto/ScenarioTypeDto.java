package org.opendpm.rest.internal.dto;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * An installed scenario type: one kind of scenario tab, the plugin that provides it, and the JSON Schema (draft
 * 2020-12) of its settings, from which a client draws and checks the tab without knowing the plugin.
 *
 * @param key the tab's key in a scenario's {@code tabs}
 * @param needsDeployOs whether a machine boots its Deploy-OS to carry out this tab
 * @param settingsVersion the version of the settings document the plugin writes
 * @param bundle symbolic name of the plugin's bundle
 * @param settingsSchema the schema as a JSON object; {@code null} when the plugin's schema is broken
 * @param schemaError why the plugin's schema could not be read; absent when it could
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "ScenarioType")
public record ScenarioTypeDto(String key, String displayName, boolean needsDeployOs, int settingsVersion,
        String bundle, String bundleVersion,
        @Schema(type = "object", additionalProperties = Schema.AdditionalPropertiesValue.TRUE,
                description = "JSON Schema (draft 2020-12) of the tab's settings") Map<String, Object> settingsSchema,
        String schemaError) {
}
