package org.opendpm.api.power;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Power settings to store for a machine; they replace the stored ones, except for secrets, which are write-only.
 *
 * @param driver the power driver key the machine uses; empty for the automatic choice (model, then server default)
 * @param driverInfo the driver info, checked against the driver's schema and by the driver; a secret (a property the
 *            schema marks {@code writeOnly}) given replaces the stored one, given as {@code ""} removes it, and left
 *            out keeps the stored one as long as the machine's driver stays the same
 */
public record PowerSettingsUpdate(Optional<String> driver, Map<String, String> driverInfo) {

    public PowerSettingsUpdate {
        driver = driver == null ? Optional.empty() : driver.filter(d -> !d.isBlank()).map(String::strip);
        Objects.requireNonNull(driverInfo, "driverInfo");
        // Not Map.copyOf: a null value must reach validation, which names the property.
        driverInfo = Collections.unmodifiableMap(new LinkedHashMap<>(driverInfo));
    }

    @Override
    public String toString() {
        // driverInfo may hold secrets
        return "PowerSettingsUpdate[driver=" + driver.orElse("(automatic)") + ", " + driverInfo.keySet() + "]";
    }
}
