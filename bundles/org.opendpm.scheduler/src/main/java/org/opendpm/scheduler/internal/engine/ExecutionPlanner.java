package org.opendpm.scheduler.internal.engine;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import org.opendpm.api.execution.Execution;
import org.opendpm.api.plugin.DeployOsResolution;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.api.scenario.Executability;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioService;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.scheduler.internal.engine.ExecutionTable.MachineRow;
import org.opendpm.spi.DeployOs;
import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepExecutor;

/**
 * Plans one execution: its scenario's tabs by their plugins, the machine's Deploy-OS resolved, each step checked by
 * its executor. Kept apart from the engine's loop because it calls plugins, which the engine does off the loop.
 */
final class ExecutionPlanner {

    private final ScenarioService scenarios;
    private final PluginRegistry plugins;

    ExecutionPlanner(ScenarioService scenarios, PluginRegistry plugins) {
        this.scenarios = scenarios;
        this.plugins = plugins;
    }

    /** A scenario and whether it can be executed, read once for all the executions of a batch. */
    private record ScenarioCheck(Scenario scenario, Executability executability) {
    }

    /** Plans for the executions one batch starts: each scenario is read by the first plan that needs it. */
    Batch batch() {
        return new Batch();
    }

    final class Batch {
        private final Map<Long, CompletableFuture<ScenarioCheck>> checks = new ConcurrentHashMap<>();

        /** The plan of one execution; throws with the reason it cannot start. Runs off the loop. */
        List<Step> plan(Execution e, MachineRow machine, ServerSettings server) {
            return ExecutionPlanner.this.plan(check(e.scenarioId()), machine, server);
        }

        private ScenarioCheck check(long id) {
            CompletableFuture<ScenarioCheck> mine = new CompletableFuture<>();
            CompletableFuture<ScenarioCheck> read = checks.putIfAbsent(id, mine);
            if (read == null) {
                read = mine;
                try {
                    mine.complete(new ScenarioCheck(scenarios.scenario(id), scenarios.executability(id)));
                } catch (RuntimeException ex) {
                    mine.completeExceptionally(ex);
                }
            }
            try {
                return read.join();
            } catch (CompletionException ex) {
                throw ex.getCause() instanceof RuntimeException r ? r : ex;
            }
        }
    }

    private List<Step> plan(ScenarioCheck check, MachineRow machine, ServerSettings server) {
        Scenario scenario = check.scenario();
        Executability x = check.executability();
        if (!x.executable()) {
            throw new ExecutionEngine.StepFailed("Scenario " + scenario.name() + " cannot be executed: "
                    + x.reason().orElse("unavailable"));
        }
        Optional<DeployOs> deployOs = Optional.empty();
        if (x.needsDeployOs()) {
            DeployOsResolution r = plugins.resolveDeployOs(machine.deployOs(), machine.model(),
                    server.defaultDeployOs());
            deployOs = Optional.of(r.deployOs());
        }
        PlanTarget target = new PlanTarget(machine.name(), machine.primaryMac(), machine.model(), deployOs,
                machine.uuid());
        ExecutionPlan plan = ExecutionPlan.of(scenario, x.needsDeployOs(), server.checkCompletionByAgent(), target,
                tab -> ExecutionPlan.planTab(plugins.scenarioType(tab.type())
                        .orElseThrow(() -> new ExecutionEngine.StepFailed(
                                "Scenario type plugin unavailable: " + tab.type())),
                        tab,
                        target));
        for (Step step : plan.steps()) {
            StepExecutor executor = plugins.stepExecutor(step.executor())
                    .orElseThrow(() -> new ExecutionEngine.StepFailed(
                            "Step '" + step.name() + "' needs the step executor '" + step.executor()
                                    + "', which is not "
                                    + "installed"));
            List<org.opendpm.spi.SettingViolation> problems = executor.validate(step);
            if (problems != null && !problems.isEmpty()) {
                throw new ExecutionEngine.StepFailed(
                        "Step '" + step.name() + "' cannot be carried out: " + problems.get(0).field()
                                + ": " + problems.get(0).message());
            }
        }
        if (plan.steps().isEmpty()) {
            throw new ExecutionEngine.StepFailed("Scenario " + scenario.name() + " has nothing to do");
        }
        return plan.steps();
    }
}
