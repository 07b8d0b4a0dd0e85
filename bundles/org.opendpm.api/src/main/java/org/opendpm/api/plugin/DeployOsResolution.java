package org.opendpm.api.plugin;

import org.opendpm.spi.DeployOs;

/**
 * The Deploy-OS a machine boots and which rule chose it.
 *
 * @param deployOs the Deploy-OS; for the explicit and default rules only its id may be known
 * @param rule which step of the resolution order decided
 */
public record DeployOsResolution(DeployOs deployOs, Rule rule) {

    /** The resolution order, first to last. */
    public enum Rule {
        EXPLICIT, EXACT_MODEL, MODEL_PATTERN, SERVER_DEFAULT
    }
}
