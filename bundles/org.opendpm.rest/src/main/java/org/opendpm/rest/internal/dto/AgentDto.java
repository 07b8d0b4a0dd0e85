package org.opendpm.rest.internal.dto;

import org.opendpm.api.agent.AgentInfo;

/**
 * A connected, authenticated agent. {@code machineId} is null while the machine is only listed under New Machine;
 * times are ISO-8601 UTC.
 *
 * @param deployOs whether the agent runs inside the Deploy-OS rather than the installed OS
 */
public record AgentDto(Long machineId, String mac, String uuid, String remoteAddress, String hostName, String os,
        String agentVersion, boolean deployOs, String connectedAt, String lastHeartbeat) {

    public static AgentDto of(AgentInfo a) {
        return new AgentDto(a.machineId().orElse(null), a.mac(), a.uuid().orElse(null), a.remoteAddress(),
                a.hostName(), a.os(), a.agentVersion(), a.deployOs(), a.connectedAt().toString(),
                a.lastHeartbeat().toString());
    }
}
