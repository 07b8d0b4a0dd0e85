package org.opendpm.api.boot;

/**
 * The ports the management server and its agents use (NET-5), from {@code Port.ini} in the TFTP root folder, each
 * falling back to its default when the file or the key is missing or the value is bad.
 *
 * <p>Keys: {@code FTUnicast} is the guide's (image transfer, the port a disk-duplication master writes as
 * {@code FTUnicastPort}); the agent keys are OpenDPM's, since the guide lists those ports without keys.
 *
 * @param ftUnicast image transfer, TCP ({@code FTUnicast}, default 26508)
 * @param agentTcp1 agent, TCP ({@code AgentTcp1}, default 26509)
 * @param agentTcp2 agent, TCP ({@code AgentTcp2}, default 26510)
 * @param agentTcp3 agent, TCP ({@code AgentTcp3}, default 26520)
 * @param agentUdp agent, UDP ({@code AgentUdp}, default 26529)
 * @param agentSearchUdp the agent's search for the server, UDP ({@code AgentSearchUdp}, default 68)
 */
public record ServerPorts(int ftUnicast, int agentTcp1, int agentTcp2, int agentTcp3, int agentUdp,
        int agentSearchUdp) {

    public static final ServerPorts DEFAULTS = new ServerPorts(26508, 26509, 26510, 26520, 26529, 68);

    public ServerPorts {
        for (int p : new int[]{ ftUnicast, agentTcp1, agentTcp2, agentTcp3, agentUdp, agentSearchUdp }) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port out of range 1..65535: " + p);
            }
        }
    }
}
