package org.opendpm.rest.internal.dto;

import java.util.List;
import java.util.Optional;

import org.opendpm.api.ValidationException;
import org.opendpm.api.os.MachineInstall;

/**
 * Answer files for machines (OSI-2, batch): the disk, root password hash and network shared by all; {@code network}
 * is {@code dhcp} (default) or {@code static} (each machine's IP address with {@code netmask}, {@code gateway},
 * {@code nameserver}).
 */
public record AnswerFilesRequestDto(List<Long> machineIds, String disk, String rootPasswordHash, String network,
        String netmask, String gateway, String nameserver) {

    public List<MachineInstall> toInstalls() {
        if (machineIds == null || machineIds.isEmpty()) {
            throw new ValidationException("machineIds", "At least one machine id is required");
        }
        if (disk == null) {
            throw new ValidationException("disk", "'disk' is required");
        }
        if (rootPasswordHash == null) {
            throw new ValidationException("rootPasswordHash", "'rootPasswordHash' is required");
        }
        if (network != null && !network.equals("dhcp") && !network.equals("static")) {
            throw new ValidationException("network", "'network' is dhcp or static");
        }
        MachineInstall.Network n = "static".equals(network)
                ? new MachineInstall.Network(false, Optional.ofNullable(netmask), Optional.ofNullable(gateway),
                        Optional.ofNullable(nameserver))
                : MachineInstall.Network.DHCP;
        return machineIds.stream().map(id -> {
            if (id == null) {
                throw new ValidationException("machineIds", "A machine id is required");
            }
            return new MachineInstall(id, disk, rootPasswordHash, n, Optional.empty());
        }).toList();
    }
}
