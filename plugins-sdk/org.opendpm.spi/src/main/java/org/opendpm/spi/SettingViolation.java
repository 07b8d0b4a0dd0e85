package org.opendpm.spi;

import java.util.Objects;

/**
 * One problem with a setting.
 *
 * @param field the setting at fault, as a dotted path into the settings document
 * @param message what is wrong, for an administrator
 */
public record SettingViolation(String field, String message) {
    public SettingViolation {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }
}
