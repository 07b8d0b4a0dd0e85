package org.opendpm.rest.internal.dto;

import java.util.Map;

import org.opendpm.api.boot.BootStatus;
import org.opendpm.api.boot.ServerPorts;

/** The network boot servers' counters since they started; see {@link BootStatus}. */
public record BootStatusDto(Tftp tftp, Pxe pxe, long clientsSeen, long bootDecisions, long httpBootRequests,
        Ports ports) {

    public record Tftp(boolean running, int inFlight, long started, long completed, long failed, long bytesSent,
            long bytesReceived, long retransmissions, Map<String, Long> errors) {
    }

    public record Pxe(boolean running, long received, Map<String, Long> malformed, Map<String, Long> outcomes) {
    }

    /** NET-5 ports from Port.ini ({@code FTUnicast} and the agent's). */
    public record Ports(int ftUnicast, int agentTcp1, int agentTcp2, int agentTcp3, int agentUdp, int agentSearchUdp) {
    }

    public static BootStatusDto of(BootStatus s) {
        ServerPorts p0 = s.ports();
        BootStatus.Tftp t = s.tftp();
        BootStatus.Pxe p = s.pxe();
        return new BootStatusDto(new Tftp(t.running(), t.inFlight(), t.started(), t.completed(), t.failed(),
                t.bytesSent(), t.bytesReceived(), t.retransmissions(), t.errors()),
                new Pxe(p.running(), p.received(),
                        p.malformed(), p.outcomes()),
                s.clientsSeen(), s.bootDecisions(), s.httpBootRequests(),
                new Ports(p0.ftUnicast(), p0.agentTcp1(), p0.agentTcp2(), p0.agentTcp3(), p0.agentUdp(),
                        p0.agentSearchUdp()));
    }
}
