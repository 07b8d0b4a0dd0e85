package org.opendpm.api.inventory;

import java.util.List;
import java.util.Optional;

/**
 * A managed machine (INV-3).
 *
 * @param macs the NICs' MAC addresses in their order, canonical ({@code 00:50:56:aa:bb:cc})
 * @param primaryMac the NIC used for Wake-on-LAN and network boot, one of {@code macs}, shown with {@code (*)}
 * @param uuid the SMBIOS UUID, canonical lower-case 8-4-4-4-12
 * @param deployOs the explicit Deploy-OS; empty means "use the default" (resolved by model, then the server
 *            default)
 */
public record Machine(long id, String name, long groupId, String groupPath, List<String> macs, String primaryMac,
        Optional<String> uuid, Optional<String> ip, Optional<String> model, Optional<String> deployOs,
        PowerState powerState, MachineStatus status) {

    public Machine {
        macs = List.copyOf(macs);
    }
}
