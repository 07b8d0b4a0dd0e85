package org.opendpm.spi;

import java.util.Map;
import java.util.Objects;

/**
 * One step of a plan, carried out by the core.
 *
 * @param kind what the core does
 * @param parameters the step's parameters; their meaning depends on the kind
 * @param needsDeployOs whether the machine must run its Deploy-OS for this step
 */
public record Step(Kind kind, Map<String, String> parameters, boolean needsDeployOs) {

    /** What the core knows how to carry out. */
    public enum Kind {
        POWER_ON, REBOOT_INTO_DEPLOY_OS, AGENT_COMMAND, TRANSFER, WAIT_FOR_AGENT, LOCAL_BOOT, POWER_OFF
    }

    public Step {
        Objects.requireNonNull(kind, "kind");
        parameters = Map.copyOf(parameters);
    }
}
