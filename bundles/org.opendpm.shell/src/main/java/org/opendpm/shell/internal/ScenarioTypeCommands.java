package org.opendpm.shell.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.table.ShellTable;
import org.opendpm.api.plugin.PluginInfo;
import org.opendpm.api.plugin.PluginKind;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.spi.ScenarioType;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** dpm:scenario-type-*: the installed scenario types (SCN-2) and the JSON Schema of their settings. */
public final class ScenarioTypeCommands {

    /** Longest schema read, in characters, as REST reads it. */
    static final int MAX_SCHEMA_CHARS = 256 * 1024;

    /** Deepest nesting read, as REST reads it. */
    static final int MAX_SCHEMA_DEPTH = 64;

    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_SCHEMA_DEPTH)
                    .maxStringLength(MAX_SCHEMA_CHARS).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private ScenarioTypeCommands() {
    }

    /** The winning scenario-type plugins, by key. */
    static List<PluginInfo> types(PluginRegistry registry) {
        List<PluginInfo> out = new ArrayList<>();
        for (PluginInfo p : registry.plugins()) {
            if (p.kind() == PluginKind.SCENARIO_TYPE && p.winner()) {
                out.add(p);
            }
        }
        return out;
    }

    /** The schema indented for reading; a schema that is not one bounded JSON object is refused with the reason. */
    static String pretty(String key, String schema) {
        if (schema == null || schema.isBlank()) {
            throw new IllegalArgumentException("Scenario type " + key + " has an empty settings schema");
        }
        if (schema.length() > MAX_SCHEMA_CHARS) {
            throw new IllegalArgumentException("The settings schema of scenario type " + key + " has "
                    + schema.length() + " characters; the limit is " + MAX_SCHEMA_CHARS);
        }
        try {
            JsonNode node = JSON.readTree(schema);
            if (!node.isObject()) {
                throw new IllegalArgumentException("The settings schema of scenario type " + key
                        + " is not a JSON object");
            }
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("The settings schema of scenario type " + key + " is not valid JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    @Service
    @Command(scope = "dpm", name = "scenario-type-list", description = "Lists the installed scenario types: key,"
            + " tab name, whether it needs the Deploy-OS, and the plugin bundle")
    public static class ScenarioTypeList implements Action {
        @Reference
        PluginRegistry registry;

        @Override
        public Object execute() {
            var table = new ShellTable();
            table.column("Key");
            table.column("Name");
            table.column("Deploy-OS");
            table.column("Bundle");
            for (PluginInfo p : types(registry)) {
                // A plugin that left since plugins() was read is not listed.
                registry.scenarioType(p.key()).ifPresent(t -> table.addRow().addContent(p.key(), name(t),
                        deployOs(t), p.bundle() + " " + p.bundleVersion()));
            }
            table.print(System.out);
            return null;
        }

        /** A plugin that fails here is shown so, not allowed to end the listing. */
        private static String name(ScenarioType t) {
            try {
                return t.displayName();
            } catch (RuntimeException e) {
                return "(failed: " + e + ")";
            }
        }

        private static String deployOs(ScenarioType t) {
            try {
                return t.needsDeployOs() ? "yes" : "no";
            } catch (RuntimeException e) {
                return "?";
            }
        }
    }

    @Service
    @Command(scope = "dpm", name = "scenario-type-schema", description = "Prints the JSON Schema (draft 2020-12) of a"
            + " scenario type's settings, the form of its tab in a scenario")
    public static class ScenarioTypeSchema implements Action {
        @Reference
        PluginRegistry registry;

        @Argument(index = 0, name = "key", required = true, description = "scenario-type key (dpm:scenario-type-list)")
        @Completion(ScenarioTypeCompleter.class)
        String key;

        @Override
        public Object execute() {
            ScenarioType type = registry.scenarioType(key).orElseThrow(() -> new IllegalArgumentException(
                    "No scenario type '" + key + "' is installed; dpm:scenario-type-list shows those that are"));
            String schema;
            try {
                schema = type.settingsSchema();
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Scenario type " + key + " failed to give its schema: " + e, e);
            }
            System.out.println(pretty(key, schema));
            return null;
        }
    }

    /** Completes the keys of the installed scenario types. */
    @Service
    public static class ScenarioTypeCompleter implements Completer {
        @Reference
        PluginRegistry registry;

        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            return Completions.of(() -> types(registry).stream().map(PluginInfo::key).toList(), session, commandLine,
                    candidates);
        }
    }
}
