package org.opendpm.api.power;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A machine's power settings as they may be shown: never the value of a secret.
 *
 * @param machineId the machine
 * @param driver the driver the machine names; empty when it is chosen automatically
 * @param effectiveDriver the driver the machine uses now
 * @param choice why it uses that driver
 * @param driverInstalled whether {@code effectiveDriver} is installed now
 * @param driverInfo the stored driver info without its secrets
 * @param secretsSet names of the secrets that are stored (their values are never returned)
 * @param driverInfoSchema the effective driver's JSON Schema of its driver info; empty when it is not installed
 * @param setBy who last stored settings for the machine; empty when none are stored
 * @param setAt when they were stored
 */
public record MachinePowerSettings(long machineId, Optional<String> driver, String effectiveDriver,
        PowerDriverChoice choice, boolean driverInstalled, Map<String, String> driverInfo, Set<String> secretsSet,
        Optional<String> driverInfoSchema, Optional<String> setBy, Optional<Instant> setAt) {

    public MachinePowerSettings {
        Objects.requireNonNull(effectiveDriver, "effectiveDriver");
        Objects.requireNonNull(choice, "choice");
        driverInfo = Map.copyOf(driverInfo);
        secretsSet = Set.copyOf(secretsSet);
    }
}
