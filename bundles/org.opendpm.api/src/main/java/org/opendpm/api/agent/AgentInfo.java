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
 * @param startId drawn by the agent once per start of its process and kept while it reconnects, so a listener tells
 *        a machine whose agent started from a connection that came back; empty for agents that do not send it
 */
public record AgentInfo(Optional<Long> machineId, String mac, Optional<String> uuid, String remoteAddress,
        String hostName, String os, String agentVersion, boolean deployOs, Instant connectedAt,
        Instant lastHeartbeat, Optional<Long> executionId, Optional<String> startId) {

    /** An agent that sent no start id. */
    public AgentInfo(Optional<Long> machineId, String mac, Optional<String> uuid, String remoteAddress,
            String hostName, String os, String agentVersion, boolean deployOs, Instant connectedAt,
            Instant lastHeartbeat, Optional<Long> executionId) {
        this(machineId, mac, uuid, remoteAddress, hostName, os, agentVersion, deployOs, connectedAt, lastHeartbeat,
                executionId, Optional.empty());
    }
}
