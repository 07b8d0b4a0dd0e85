package org.opendpm.rest.internal.dto;

import java.util.List;
import java.util.Optional;

import org.opendpm.api.inventory.MachineSpec;

/**
 * A machine to register (POST, with {@code groupId} or {@code groupPath}) or its new data (PUT, without them).
 * MACs in any usual form; {@code primaryMac} defaults to the first; {@code deployOs} left out means "use the default".
 */
public record MachineInputDto(Long groupId, String groupPath, String name, List<String> macs, String primaryMac,
        String uuid, String ip, String model, String deployOs) {

    public MachineSpec toSpec() {
        return new MachineSpec(name, macs, Optional.ofNullable(primaryMac), Optional.ofNullable(uuid),
                Optional.ofNullable(ip), Optional.ofNullable(model), Optional.ofNullable(deployOs));
    }
}
