package org.opendpm.api.plugin;

import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.DeployOsModel;
import org.opendpm.spi.PowerDriver;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.StepExecutor;

/** The kinds of plugin, each with the service property that selects it. */
public enum PluginKind {
    SCENARIO_TYPE("scenario-type", ScenarioType.PROPERTY), DEPLOY_OS_MODEL("deployos-model",
            DeployOsModel.PROPERTY), BOOT_PROTOCOL("boot-protocol", BootProtocol.PROPERTY), POWER_DRIVER("power-driver",
                    PowerDriver.PROPERTY), STEP_EXECUTOR("step-executor", StepExecutor.PROPERTY);

    private final String label;
    private final String property;

    PluginKind(String label, String property) {
        this.label = label;
        this.property = property;
    }

    /** The name shown in listings. */
    public String label() {
        return label;
    }

    /** The selecting service property. */
    public String property() {
        return property;
    }
}
