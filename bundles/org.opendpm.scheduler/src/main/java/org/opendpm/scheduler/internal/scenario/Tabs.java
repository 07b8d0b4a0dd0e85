package org.opendpm.scheduler.internal.scenario;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.opendpm.api.ValidationException;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.api.scenario.ScenarioTab;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.SettingViolation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The plugin tabs of a scenario (SCN-2): checked by their plugins on the way in, stored as JSON text with the
 * plugin's settings version, migrated by the plugin on the way out. Jackson turns the documents into text here
 * rather than in the REST layer, so every caller (REST, shell, a future engine) stores the same form.
 */
final class Tabs {

    /** Longest stored settings document, in characters: far above any real tab, low enough to refuse abuse. */
    static final int MAX_DOCUMENT_CHARS = 1_000_000;

    /** A scenario-type key: what the SPI's examples look like ({@code backup-restore}, {@code os-linux}). */
    private static final Pattern TYPE_KEY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private static final TypeReference<LinkedHashMap<String, Object>> DOCUMENT = new TypeReference<>() {
    };

    /** Immutable once built; ObjectMapper is thread-safe for reading and writing. */
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One tab as stored. */
    record Stored(String type, int settingsVersion, String json) {
    }

    /** One tab as read: the tab, why it cannot be used (or {@code null}), and whether it needs the Deploy-OS. */
    record Read(ScenarioTab tab, String problem, boolean needsDeployOs) {
    }

    private Tabs() {
    }

    /**
     * Checks every tab with its plugin and returns them ready to store, sorted by type. The first tab in error is
     * reported: a missing plugin as {@code tabs.<type>}, a bad setting as {@code tabs.<type>.<field>} with every
     * violation of that tab in the message.
     */
    static List<Stored> check(Map<String, Map<String, Object>> tabs, PluginRegistry plugins) {
        List<Stored> result = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> e : new TreeMap<>(tabs).entrySet()) {
            String type = e.getKey();
            if (type == null || !TYPE_KEY.matcher(type).matches()) {
                throw new ValidationException("tabs", "Tab type '" + type + "' is not a scenario-type key (lower-case"
                        + " letters, digits, '.', '_', '-'; at most 64 characters)");
            }
            String field = "tabs." + type;
            if (e.getValue() == null) {
                throw new ValidationException(field, "Tab '" + type + "' needs a settings object");
            }
            ScenarioType plugin = plugins.scenarioType(type).orElseThrow(() -> new ValidationException(field,
                    "No scenario-type plugin '" + type + "' is installed; install it or remove the tab"));
            Map<String, Object> settings = Collections.unmodifiableMap(new LinkedHashMap<>(e.getValue()));
            List<SettingViolation> violations;
            try {
                violations = plugin.validate(settings);
            } catch (RuntimeException failure) {
                throw new ValidationException(field, "Plugin '" + type + "' failed to check the tab: " + failure);
            }
            if (violations != null && !violations.isEmpty()) {
                throw new ValidationException(field + "." + violations.get(0).field(), "Tab '" + type + "': "
                        + violations.stream().map(v -> v.field() + ": " + v.message())
                                .collect(Collectors.joining("; ")));
            }
            String json;
            try {
                json = JSON.writeValueAsString(settings);
            } catch (JsonProcessingException failure) {
                throw new ValidationException(field, "Tab '" + type + "' holds a value that is not JSON: "
                        + failure.getOriginalMessage());
            }
            if (json.length() > MAX_DOCUMENT_CHARS) {
                throw new ValidationException(field, "Tab '" + type + "' has " + json.length() + " characters of"
                        + " settings; the limit is " + MAX_DOCUMENT_CHARS);
            }
            result.add(new Stored(type, plugin.settingsVersion(), json));
        }
        return result;
    }

    /**
     * Reads a stored tab against the plugins present now: settings written by an older plugin version go through
     * the plugin's {@link ScenarioType#migrateSettings}; a missing plugin, settings newer than the plugin, or a
     * failing migration make the tab unusable, with the reason, but still readable as stored.
     */
    static Read read(String type, int version, String json, PluginRegistry plugins) {
        Map<String, Object> stored = parse(json);
        Optional<ScenarioType> found = plugins.scenarioType(type);
        if (found.isEmpty()) {
            return new Read(new ScenarioTab(type, version, stored), "plugin unavailable: " + type, false);
        }
        ScenarioType plugin = found.get();
        int current = plugin.settingsVersion();
        if (version > current) {
            return new Read(new ScenarioTab(type, version, stored), "settings of tab " + type + " are version "
                    + version + ", newer than the installed plugin's version " + current, plugin.needsDeployOs());
        }
        if (version == current) {
            return new Read(new ScenarioTab(type, version, stored), null, plugin.needsDeployOs());
        }
        try {
            Map<String, Object> migrated = plugin.migrateSettings(version, stored);
            return new Read(new ScenarioTab(type, current, migrated), null, plugin.needsDeployOs());
        } catch (RuntimeException failure) {
            return new Read(new ScenarioTab(type, version, stored), "plugin " + type + " cannot migrate settings"
                    + " from version " + version + ": " + failure.getMessage(), plugin.needsDeployOs());
        }
    }

    static Map<String, Object> parse(String json) {
        try {
            return JSON.readValue(json, DOCUMENT);
        } catch (JsonProcessingException e) {
            // Only this class writes the column, so this is a damaged database, not bad input.
            throw new IllegalStateException("Stored scenario settings are not a JSON object: "
                    + e.getOriginalMessage(), e);
        }
    }
}
