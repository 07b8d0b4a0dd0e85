package org.opendpm.spi.testkit;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.opendpm.spi.DeployOs;
import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;

/** Checks a {@link ScenarioType} against the rules of the SPI. */
public final class ScenarioTypeChecks {

    private ScenarioTypeChecks() {
    }

    /** A target machine with a Deploy-OS and a UUID, for plans. */
    public static PlanTarget target() {
        return new PlanTarget("machine01", "00:50:56:aa:bb:cc", Optional.of("NEC Express5800 002"),
                Optional.of(new DeployOs("ia32_110331_26", "deployos/ia32_110331_26/vmlinuz",
                        "deployos/ia32_110331_26/initrd.img", "", List.of("i386", "x86_64"))),
                Optional.of("4c4c4544-0042-3510-8052-b4c04f4d3232"));
    }

    /**
     * Asserts that the settings are valid and planned into a non-empty list of steps that is consistent with
     * {@link ScenarioType#needsDeployOs()}.
     *
     * @return the plan, for further assertions
     */
    public static List<Step> assertPlans(ScenarioType type, Map<String, Object> validSettings) {
        List<SettingViolation> violations = type.validate(validSettings);
        if (!violations.isEmpty()) {
            throw new PluginAssertionError("settings expected valid, but: " + violations);
        }
        List<Step> plan = type.plan(validSettings, target());
        if (plan == null || plan.isEmpty()) {
            throw new PluginAssertionError("a valid scenario must plan at least one step");
        }
        boolean stepsNeedDeployOs = plan.stream().anyMatch(Step::needsDeployOs);
        if (stepsNeedDeployOs != type.needsDeployOs()) {
            throw new PluginAssertionError("needsDeployOs() is " + type.needsDeployOs()
                    + " but the plan's steps say " + stepsNeedDeployOs);
        }
        return plan;
    }

    /** Asserts that the settings are refused with a violation naming the field. */
    public static void assertRejects(ScenarioType type, Map<String, Object> settings, String field) {
        List<SettingViolation> violations = type.validate(settings);
        if (violations.stream().noneMatch(v -> v.field().equals(field))) {
            throw new PluginAssertionError("expected a violation on '" + field + "', got " + violations);
        }
    }

    /**
     * Asserts that {@link ScenarioType#settingsSchema()} is a JSON Schema of an object: parseable JSON whose
     * {@code type} is {@code object} and whose {@code properties}, if any, are objects.
     */
    public static void assertSchema(ScenarioType type) {
        String schema = type.settingsSchema();
        if (schema == null || schema.isBlank()) {
            throw new PluginAssertionError("settingsSchema() is empty");
        }
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(schema);
        } catch (java.io.IOException e) {
            throw new PluginAssertionError("settingsSchema() is not JSON: " + e.getMessage());
        }
        if (!root.isObject() || !"object".equals(root.path("type").asText())) {
            throw new PluginAssertionError("settingsSchema() must describe an object (\"type\": \"object\")");
        }
        if (root.has("properties") && !root.get("properties").isObject()) {
            throw new PluginAssertionError("settingsSchema()'s properties must be an object");
        }
        root.path("properties").fields().forEachRemaining(f -> {
            if (!f.getValue().isObject()) {
                throw new PluginAssertionError("settingsSchema() property '" + f.getKey() + "' is not a schema");
            }
        });
    }
}
