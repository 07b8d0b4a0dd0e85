package org.opendpm.api.agent;

import java.time.Instant;
import java.util.Optional;

/**
 * A connected, authenticated agent.
 *
 * @param machineId the managed machine it acts for; empty while the machine is only listed under New Machine
 * @param mac the MAC its credential was issued for, canonical
 * @param remoteAddress the address the connection comes from
 * @param deployOs whether the agent runs inside the Deploy-OS rather than the installed OS
 * @param lastHeartbeat when the agent was last heard from
 * @param executionId for a Deploy-OS agent admitted by its one-time token, the execution it was booted for
 */
public record AgentInfo(Optional<Long> machineId, String mac, Optional<String> uuid, String remoteAddress,
        String hostName, String os, String agentVersion, boolean deployOs, Instant connectedAt,
        Instant lastHeartbeat, Optional<Long> executionId) {
}
