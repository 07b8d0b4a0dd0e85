package org.opendpm.rest.internal.dto;

import java.util.List;

import org.opendpm.api.inventory.Machine;
import org.opendpm.api.scenario.Assignment;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A managed machine.
 *
 * @param macs the NICs as the console shows them, the primary marked: {@code 00:50:56:aa:bb:cc(*)}
 * @param deployOs the explicit Deploy-OS, or {@code null} for "use the default"
 * @param statusLabel the status as the console shows it; empty when idle
 * @param assignedScenarioId the scenario assigned to the machine (in machine lists only; absent without one)
 * @param assignedScenario that scenario's name
 */
public record MachineDto(long id, String name, long groupId, String groupPath, List<String> macs, String primaryMac,
        String uuid, String ip, String model, String deployOs, boolean useDefaultDeployOs, String powerState,
        String status, String statusLabel, @JsonInclude(JsonInclude.Include.NON_NULL) Long assignedScenarioId,
        @JsonInclude(JsonInclude.Include.NON_NULL) String assignedScenario) {

    public static MachineDto of(Machine m) {
        return of(m, null);
    }

    /** The machine with its assignment, {@code null} when it has none. */
    public static MachineDto of(Machine m, Assignment assignment) {
        List<String> macs = m.macs().stream().map(mac -> mac.equals(m.primaryMac()) ? mac + "(*)" : mac).toList();
        return new MachineDto(m.id(), m.name(), m.groupId(), m.groupPath(), macs, m.primaryMac(), m.uuid().orElse(null),
                m.ip().orElse(null), m.model().orElse(null), m.deployOs().orElse(null), m.deployOs().isEmpty(),
                m.powerState().name(), m.status().name(), m.status().label(), assignment == null
                        ? null
                        : assignment.scenarioId(),
                assignment == null ? null : assignment.scenarioName());
    }
}
