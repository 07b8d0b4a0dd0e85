package org.opendpm.api.inventory;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an administrator enters to register or edit a machine (INV-6, INV-10). MACs may be written
 * {@code 00-50-56-AA-BB-CC}, {@code 00:50:56:aa:bb:cc} or {@code 0050.56aa.bbcc}; they are stored canonically.
 *
 * @param primaryMac one of {@code macs}; empty means the first
 * @param deployOs the explicit Deploy-OS; empty means "use the default"
 */
public record MachineSpec(String name, List<String> macs, Optional<String> primaryMac, Optional<String> uuid,
        Optional<String> ip, Optional<String> model, Optional<String> deployOs) {

    public MachineSpec {
        macs = macs == null ? List.of() : List.copyOf(macs);
        Objects.requireNonNull(primaryMac, "primaryMac");
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(deployOs, "deployOs");
    }

    /** A machine with one NIC and nothing optional set. */
    public static MachineSpec of(String name, String mac) {
        return new MachineSpec(name, List.of(mac), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }
}
