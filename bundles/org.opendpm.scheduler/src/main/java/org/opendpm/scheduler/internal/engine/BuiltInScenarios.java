package org.opendpm.scheduler.internal.engine;

import java.util.List;
import java.util.Map;

import org.opendpm.api.scenario.Scenario;
import org.opendpm.scheduler.internal.engine.steps.MasterSetupStep;
import org.opendpm.spi.Step;

/**
 * The steps of the built-in scenarios (SCN-4), which have no tabs: the migration creates them with these names in the
 * group "Built-in Scenarios" and nobody can rename or change them.
 */
final class BuiltInScenarios {

    /** The master setup scenarios by name, and the system each prepares. */
    static final Map<String, String> MASTER_SETUP = Map.of("System_LinuxMasterSetup", "linux",
            "System_WindowsMasterSetup", "windows", "System_WindowsMasterSetupVM", "windows-vm");

    private BuiltInScenarios() {
    }

    /** The built-in steps of {@code scenario}; none for the administrators' scenarios. */
    static List<Step> plan(Scenario scenario) {
        if (!scenario.builtIn()) {
            return List.of();
        }
        String system = MASTER_SETUP.get(scenario.name());
        return system == null ? List.of() : List.of(MasterSetupStep.step(system));
    }
}
