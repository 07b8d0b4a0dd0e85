package org.opendpm.spi;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What the core lends a {@link PowerDriver} for one call: the means a driver without its own hardware channel
 * (Wake-on-LAN) uses.
 */
@ProviderType
public interface PowerContext {

    /** Sends a Wake-on-LAN magic packet for the MAC to the configured address and port. */
    void wakeOnLan(String mac) throws Exception;

    /** Whether the machine's agent (of either OS) is connected now. */
    boolean agentConnected();

    /** Asks the connected agent to shut down ({@code false}) or reboot ({@code true}); waits for its ack. */
    void agentPower(boolean reboot) throws Exception;
}
