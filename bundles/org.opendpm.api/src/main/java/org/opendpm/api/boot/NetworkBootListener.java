package org.opendpm.api.boot;

import org.opendpm.spi.BootClient;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told each time a registered machine asks network boot what to boot (proxyDHCP, the boot server and iPXE each ask,
 * so one power-on may tell several times). Registered as a service (whiteboard); called on the boot servers' own
 * threads before the machine's intent is read, so an implementation must return quickly and never block. Since 1.3.
 */
@ConsumerType
public interface NetworkBootListener {

    /**
     * @param machineId the managed machine
     * @param client what booted: MAC, architecture (DHCP option 93, {@link BootClient#ARCH_BIOS} for BIOS) and
     *            user class
     */
    void booting(long machineId, BootClient client);
}
