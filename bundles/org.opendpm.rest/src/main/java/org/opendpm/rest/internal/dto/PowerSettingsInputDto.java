package org.opendpm.rest.internal.dto;

import java.util.Map;
import java.util.Optional;

import org.opendpm.api.power.PowerSettingsUpdate;

/**
 * A machine's power settings to store; they replace the stored ones. {@code driver} left out, {@code null} or empty
 * means the automatic choice. {@code driverInfo} values are strings. Secrets are write-only: one given replaces the
 * stored value, one given as {@code ""} removes it, one left out keeps its stored value while the machine keeps its
 * driver.
 */
public record PowerSettingsInputDto(String driver, Map<String, String> driverInfo) {

    public PowerSettingsUpdate toUpdate() {
        return new PowerSettingsUpdate(Optional.ofNullable(driver), driverInfo == null ? Map.of() : driverInfo);
    }

    @Override
    public String toString() {
        // driverInfo may hold secrets
        return "PowerSettingsInputDto[" + driver + ", " + (driverInfo == null ? "{}" : driverInfo.keySet()) + "]";
    }
}
