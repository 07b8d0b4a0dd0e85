package org.opendpm.rest.internal.dto;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.opendpm.api.power.MachinePowerSettings;
import org.opendpm.rest.internal.json.JsonProvider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;

/**
 * A machine's power settings. {@code driver} is the driver the machine names, {@code null} for the automatic choice;
 * {@code effectiveDriver} is the one it uses and {@code choice} why: {@code EXPLICIT}, {@code MODEL} (the first
 * installed driver its Deploy-OS model prefers) or {@code DEFAULT} (the server's {@code powerDriver}).
 * {@code driverInfo} never holds a secret: the names of the stored secrets are in {@code secretsSet}, their values
 * are never returned. {@code driverInfoSchema} is the effective driver's JSON Schema of its driver info (properties
 * with {@code "writeOnly": true} are secrets), {@code null} when that driver is not installed. {@code setAt} is
 * ISO-8601 UTC; {@code setBy} and {@code setAt} are {@code null} when nothing is stored.
 */
public record PowerSettingsDto(long machineId, String driver, String effectiveDriver, String choice,
        boolean driverInstalled, Map<String, String> driverInfo, List<String> secretsSet,
        Map<String, Object> driverInfoSchema, String setBy, String setAt) {

    public static PowerSettingsDto of(MachinePowerSettings s) {
        return new PowerSettingsDto(s.machineId(), s.driver().orElse(null), s.effectiveDriver(), s.choice().name(),
                s.driverInstalled(), new TreeMap<>(s.driverInfo()), s.secretsSet().stream().sorted().toList(),
                s.driverInfoSchema().map(PowerSettingsDto::schema).orElse(null), s.setBy().orElse(null),
                s.setAt().map(Object::toString).orElse(null));
    }

    /** The plugin's schema as a JSON object; a schema that is not one is left out rather than failing the read. */
    private static Map<String, Object> schema(String json) {
        try {
            return JsonProvider.mapper().readValue(json, new TypeReference<Map<String, Object>>() {
            });
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
