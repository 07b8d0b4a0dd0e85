package org.opendpm.spi;

import java.util.Optional;

/**
 * The machine a scenario is planned for.
 *
 * @param machineName the managed machine's name
 * @param primaryMac primary NIC in canonical form ({@code 00:50:56:aa:bb:cc})
 * @param model the machine model, empty when unknown
 * @param deployOs the Deploy-OS the machine boots, empty when none resolves
 * @param uuid the machine's UUID in canonical form, empty when it has none (since 2.1)
 */
public record PlanTarget(String machineName, String primaryMac, Optional<String> model, Optional<DeployOs> deployOs,
        Optional<String> uuid) {

    /** A target whose UUID is not known. */
    public PlanTarget(String machineName, String primaryMac, Optional<String> model, Optional<DeployOs> deployOs) {
        this(machineName, primaryMac, model, deployOs, Optional.empty());
    }
}
