package org.opendpm.scheduler.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepExecutor;

/** Scenario types for the tests. */
public final class TestTypes {

    private TestTypes() {
    }

    /**
     * Settings {@code {"command": string}} in version 1; version 2 renames it to {@code "script"} and migrates old
     * settings, so the same key at two versions stands for a plugin that was updated.
     */
    public static final class Command implements ScenarioType {
        final int version;
        final boolean deployOs;

        public Command(int version, boolean deployOs) {
            this.version = version;
            this.deployOs = deployOs;
        }

        private String field() {
            return version == 1 ? "command" : "script";
        }

        @Override
        public String displayName() {
            return "Command";
        }

        @Override
        public int settingsVersion() {
            return version;
        }

        @Override
        public String settingsSchema() {
            return "{\"type\":\"object\"}";
        }

        @Override
        public boolean needsDeployOs() {
            return deployOs;
        }

        @Override
        public List<SettingViolation> validate(Map<String, Object> settings) {
            List<SettingViolation> v = new ArrayList<>();
            if (!(settings.get(field()) instanceof String)) {
                v.add(new SettingViolation(field(), "a string is required"));
            }
            for (String k : settings.keySet()) {
                if (!k.equals(field())) {
                    v.add(new SettingViolation(k, "unknown setting"));
                }
            }
            return v;
        }

        @Override
        public Map<String, Object> migrateSettings(int fromVersion, Map<String, Object> settings) {
            if (fromVersion == 1 && version == 2) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("script", settings.get("command"));
                return m;
            }
            return settings;
        }

        @Override
        public List<Step> plan(Map<String, Object> settings, PlanTarget target) {
            return List.of(new Step(StepExecutor.AGENT_COMMAND, "Agent command",
                    Map.of("command", (String) settings.get(field())), deployOs, false));
        }
    }

    /**
     * A tab that plans like {@link Command} (version 1, no Deploy-OS) under its own name; tests override the one
     * question of the SPI they are about.
     */
    public abstract static class CommandTab implements ScenarioType {
        private final ScenarioType command = new Command(1, false);
        private final String displayName;

        protected CommandTab(String displayName) {
            this.displayName = displayName;
        }

        @Override
        public String displayName() {
            return displayName;
        }

        @Override
        public int settingsVersion() {
            return 1;
        }

        @Override
        public String settingsSchema() {
            return command.settingsSchema();
        }

        @Override
        public boolean needsDeployOs() {
            return false;
        }

        @Override
        public List<SettingViolation> validate(Map<String, Object> settings) {
            return command.validate(settings);
        }

        @Override
        public List<Step> plan(Map<String, Object> settings, PlanTarget target) {
            return command.plan(settings, target);
        }
    }
}
