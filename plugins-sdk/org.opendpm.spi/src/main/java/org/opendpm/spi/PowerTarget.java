package org.opendpm.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The machine a power driver acts on.
 *
 * @param machineName the managed machine's name
 * @param primaryMac primary NIC in canonical form, used for Wake-on-LAN
 * @param ipAddress the machine's address, empty when unknown
 * @param driverInfo the machine's settings for its driver (BMC address, user, password ...), secrets already
 *            decrypted; never log them
 */
public record PowerTarget(String machineName, String primaryMac, Optional<String> ipAddress,
        Map<String, String> driverInfo) {

    public PowerTarget {
        Objects.requireNonNull(machineName, "machineName");
        Objects.requireNonNull(primaryMac, "primaryMac");
        ipAddress = ipAddress == null ? Optional.empty() : ipAddress;
        driverInfo = Map.copyOf(driverInfo);
    }

    @Override
    public String toString() {
        // driverInfo holds secrets
        return "PowerTarget[" + machineName + ", " + primaryMac + "]";
    }
}
