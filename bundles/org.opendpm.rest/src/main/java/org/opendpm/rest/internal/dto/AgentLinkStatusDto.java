package org.opendpm.rest.internal.dto;

import java.util.Map;
import java.util.TreeMap;

import org.opendpm.api.agent.AgentLinkStatus;

/**
 * The agent link: the TCP port agents connect to (0 when disabled), the SHA-256 fingerprint of the server certificate
 * for agents' {@code --server-fingerprint}, the agents connected now and the connections the server closed since
 * start, by reason.
 */
public record AgentLinkStatusDto(int port, String certificateFingerprint, int connectedAgents,
        Map<String, Long> closedByReason) {

    public static AgentLinkStatusDto of(AgentLinkStatus s) {
        // Sorted, so the answer reads the same from one call to the next.
        return new AgentLinkStatusDto(s.port(), s.certificateFingerprint(), s.connectedAgents(),
                new TreeMap<>(s.closedByReason()));
    }
}
