package org.opendpm.api.agent;

import java.util.Map;

/**
 * The agent link as administrators see it.
 *
 * @param port the TCP port agents connect to, 0 when the link is disabled
 * @param certificateFingerprint SHA-256 of the server certificate (hex, lower case), for agents' {@code
 *            --server-fingerprint}
 * @param connectedAgents authenticated sessions now
 * @param closedByReason connections closed by the server since start, by reason ({@code malformed-frame},
 *            {@code oversized-frame}, {@code unknown-type}, {@code out-of-order}, {@code unauthenticated},
 *            {@code heartbeat-lost}, {@code rate-limited} ...)
 */
public record AgentLinkStatus(int port, String certificateFingerprint, int connectedAgents,
        Map<String, Long> closedByReason) {

    public AgentLinkStatus {
        closedByReason = Map.copyOf(closedByReason);
    }
}
