package org.opendpm.rest.internal.dto;

import java.util.List;

import org.opendpm.api.inventory.Machine;

/**
 * A managed machine.
 *
 * @param macs the NICs as the console shows them, the primary marked: {@code 00:50:56:aa:bb:cc(*)}
 * @param deployOs the explicit Deploy-OS, or {@code null} for "use the default"
 * @param statusLabel the status as the console shows it; empty when idle
 */
public record MachineDto(long id, String name, long groupId, String groupPath, List<String> macs, String primaryMac,
        String uuid, String ip, String model, String deployOs, boolean useDefaultDeployOs, String powerState,
        String status, String statusLabel) {

    public static MachineDto of(Machine m) {
        List<String> macs = m.macs().stream().map(mac -> mac.equals(m.primaryMac()) ? mac + "(*)" : mac).toList();
        return new MachineDto(m.id(), m.name(), m.groupId(), m.groupPath(), macs, m.primaryMac(), m.uuid().orElse(null),
                m.ip().orElse(null), m.model().orElse(null), m.deployOs().orElse(null), m.deployOs().isEmpty(),
                m.powerState().name(), m.status().name(), m.status().label());
    }
}
