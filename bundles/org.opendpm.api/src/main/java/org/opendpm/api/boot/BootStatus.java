package org.opendpm.api.boot;

import java.util.Map;

/**
 * The network boot servers' counters since they started (a restarted server starts again from zero).
 *
 * @param tftp the TFTP server
 * @param pxe the PXE boot server and proxyDHCP
 * @param clientsSeen distinct MACs that asked for a boot decision (PXE or HTTP) since start, counted up to
 *            {@link #CLIENTS_SEEN_CAP}
 * @param bootDecisions boot decisions made (a PXE client asks twice: proxyDHCP, then the boot server)
 * @param httpBootRequests requests to the HTTP boot endpoint
 * @param ports the image transfer and agent ports from {@code Port.ini} (NET-5)
 */
public record BootStatus(Tftp tftp, Pxe pxe, long clientsSeen, long bootDecisions, long httpBootRequests,
        ServerPorts ports) {

    /** Distinct clients are remembered up to this many; more still boot but are not counted. */
    public static final int CLIENTS_SEEN_CAP = 50_000;

    /**
     * TFTP counters.
     *
     * @param running whether the server is listening
     * @param errors error answers and refused requests by kind (lower-case names)
     */
    public record Tftp(boolean running, int inFlight, long started, long completed, long failed, long bytesSent,
            long bytesReceived, long retransmissions, Map<String, Long> errors) {
        public Tftp {
            errors = Map.copyOf(errors);
        }
    }

    /**
     * PXE counters.
     *
     * @param running whether the proxyDHCP or boot server port is listening
     * @param received packets received on both ports
     * @param malformed packets dropped as malformed, by kind (lower-case names)
     * @param outcomes what became of well-formed packets (answered, ignored, ...), by kind (lower-case names)
     */
    public record Pxe(boolean running, long received, Map<String, Long> malformed, Map<String, Long> outcomes) {
        public Pxe {
            malformed = Map.copyOf(malformed);
            outcomes = Map.copyOf(outcomes);
        }
    }
}
