package org.opendpm.scheduler.internal.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioTab;
import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepExecutor;

/**
 * The steps one execution carries out: a built-in scenario's own steps (SCN-4) and the plugins' plans of the
 * scenario's tabs, framed by what the core adds (boot into the Deploy-OS first when a tab needs it, back to the local
 * disk after, wait for the installed OS's agent (EXE-9), power off when the Option tab asks). Stored step by step with
 * the execution when it is planned, so the plan in the database is the one carried out even if a plugin changes
 * meanwhile, and a restarted server carries on with it.
 */
record ExecutionPlan(List<Step> steps) {

    /** Most steps one execution may have. */
    static final int MAX_STEPS = 200;

    ExecutionPlan {
        steps = List.copyOf(steps);
    }

    /**
     * Plans the scenario for one machine. {@code plan} asks a tab's plugin for its steps (the caller guards the
     * call).
     */
    static ExecutionPlan of(Scenario scenario, boolean needsDeployOs, boolean checkCompletionByAgent,
            PlanTarget target, Function<ScenarioTab, List<Step>> plan) {
        List<Step> steps = new ArrayList<>(BuiltInScenarios.plan(scenario));
        for (ScenarioTab tab : scenario.tabs()) {
            List<Step> planned = plan.apply(tab);
            if (planned == null) {
                throw new org.opendpm.spi.StepFailedException("The plugin of tab " + tab.type() + " planned nothing");
            }
            steps.addAll(planned);
        }
        if (needsDeployOs) {
            if (steps.isEmpty() || !bootsDeployOs(steps.get(0).executor())) {
                steps.add(0, rebootIntoDeployOs());
            }
            steps.add(localBoot());
            if (checkCompletionByAgent) {
                steps.add(waitForAgent(false));
            }
        }
        if (scenario.options().powerOffAfterExecution()) {
            steps.add(powerOff());
        }
        if (steps.size() > MAX_STEPS) {
            throw new org.opendpm.spi.StepFailedException("Scenario " + scenario.name() + " plans " + steps.size()
                    + " steps; at most " + MAX_STEPS + " are allowed");
        }
        return new ExecutionPlan(steps);
    }

    private static boolean bootsDeployOs(String executor) {
        return executor.equals(StepExecutor.POWER_ON) || executor.equals(StepExecutor.REBOOT_INTO_DEPLOY_OS);
    }

    static Step rebootIntoDeployOs() {
        return new Step(StepExecutor.REBOOT_INTO_DEPLOY_OS, "Reboot into Deploy-OS", Map.of(), true, true);
    }

    static Step localBoot() {
        return new Step(StepExecutor.LOCAL_BOOT, "Local boot", Map.of(), false, true);
    }

    /** EXE-9: done when the machine is back in its installed OS ({@code deployOs} false) and its agent says so. */
    static Step waitForAgent(boolean deployOs) {
        return new Step(StepExecutor.WAIT_FOR_AGENT, "Wait for agent", Map.of("deployOs", Boolean.toString(deployOs)),
                false, true);
    }

    static Step powerOff() {
        return new Step(StepExecutor.POWER_OFF, "Power off", Map.of(), false, true);
    }

    /** The ScenarioType's plan for a tab, by key. */
    static List<Step> planTab(ScenarioType type, ScenarioTab tab, PlanTarget target) {
        return type.plan(tab.settings(), target);
    }
}
