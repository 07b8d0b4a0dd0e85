package org.opendpm.api.power;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Powers managed machines on and off through the machine's power driver (Wake-on-LAN and the agent by
 * default).
 *
 * <p>Power on returns once the command is sent; the machine must then come up (its agent connects) within the Remote
 * Power ON Timeout, or its status becomes "Remote Power ON Error" (SCH-4).
 *
 * <p>Errors: unknown machine {@link org.opendpm.api.NotFoundException}; no agent to shut down or reboot through
 * {@link org.opendpm.api.agent.AgentUnavailableException}; no database
 * {@link org.opendpm.api.StoreUnavailableException}.
 */
@ProviderType
public interface PowerService {

    void powerOn(long machineId);

    void shutdown(long machineId);

    void reboot(long machineId);
}
