package org.opendpm.spi;

import java.util.Optional;

/**
 * The machine a power operation is for.
 *
 * @param machineName the managed machine's name
 * @param primaryMac primary NIC in canonical form, used for Wake-on-LAN
 * @param ipAddress the machine's address, empty when unknown
 */
public record PowerTarget(String machineName, String primaryMac, Optional<String> ipAddress) {
}
