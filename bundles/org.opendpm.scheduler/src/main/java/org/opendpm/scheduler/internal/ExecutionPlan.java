package org.opendpm.scheduler.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioTab;
import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.Step;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The steps one execution carries out: the plugins' plans of the scenario's tabs, framed by what the core adds (boot
 * into the Deploy-OS first when a tab needs it, back to the local disk after, power off when the Option tab asks).
 * Stored as JSON with the execution when it starts, so the plan in the database is the one being carried out even
 * if a plugin changes meanwhile. A {@code WAIT_FOR_AGENT} step's {@code deployOs} parameter says which agent it
 * waits for: {@code true} the Deploy-OS's, {@code false} the installed OS's, absent either.
 */
record ExecutionPlan(List<Step> steps) {

    private static final ObjectMapper JSON = new ObjectMapper();

    ExecutionPlan {
        steps = List.copyOf(steps);
    }

    /** Plans the scenario for one machine; the scenario's plugins must be present. */
    static ExecutionPlan of(Scenario scenario, boolean needsDeployOs, boolean checkCompletionByAgent,
            PlanTarget target,
            java.util.function.Function<String, ScenarioType> types) {
        List<Step> steps = new ArrayList<>();
        for (ScenarioTab tab : scenario.tabs()) {
            steps.addAll(types.apply(tab.type()).plan(tab.settings(), target));
        }
        if (needsDeployOs) {
            if (steps.isEmpty() || !bootsDeployOs(steps.get(0).kind())) {
                steps.add(0, new Step(Step.Kind.REBOOT_INTO_DEPLOY_OS, Map.of(), true));
            }
            steps.add(new Step(Step.Kind.LOCAL_BOOT, Map.of(), false));
            if (checkCompletionByAgent) {
                // EXE-9: done when the machine is back in its installed OS and its agent says so.
                steps.add(new Step(Step.Kind.WAIT_FOR_AGENT, Map.of("deployOs", "false"), false));
            }
        }
        if (scenario.options().powerOffAfterExecution()) {
            steps.add(new Step(Step.Kind.POWER_OFF, Map.of(), false));
        }
        return new ExecutionPlan(steps);
    }

    private static boolean bootsDeployOs(Step.Kind kind) {
        return kind == Step.Kind.POWER_ON || kind == Step.Kind.REBOOT_INTO_DEPLOY_OS;
    }

    static String displayName(Step.Kind kind) {
        switch (kind) {
        case POWER_ON:
            return "Power on";
        case REBOOT_INTO_DEPLOY_OS:
            return "Reboot into Deploy-OS";
        case AGENT_COMMAND:
            return "Agent command";
        case TRANSFER:
            return "Transfer";
        case WAIT_FOR_AGENT:
            return "Wait for agent";
        case LOCAL_BOOT:
            return "Local boot";
        case POWER_OFF:
            return "Power off";
        default:
            return kind.name();
        }
    }

    private record StoredStep(Step.Kind kind, Map<String, String> parameters, boolean needsDeployOs) {
    }

    String toJson() {
        try {
            return JSON.writeValueAsString(
                    steps.stream().map(s -> new StoredStep(s.kind(), s.parameters(), s.needsDeployOs())).toList());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A plan of strings cannot fail to serialise", e);
        }
    }

    static ExecutionPlan fromJson(String json) {
        try {
            List<StoredStep> stored = JSON.readValue(json, new TypeReference<List<StoredStep>>() {
            });
            return new ExecutionPlan(
                    stored.stream().map(s -> new Step(s.kind(), s.parameters(), s.needsDeployOs())).toList());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored plan is not readable: " + e.getOriginalMessage(), e);
        }
    }
}
