package org.opendpm.agent.multicast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.Test;

/** The kernel's UDP counters as the receiver's figures read them (docs/multicast.md, "Figures"). */
public class UdpCountersTest {

    @Test
    public void readsRcvbufErrorsFromTheUdpLines() {
        assertThat(UdpCounters.rcvbufErrors(List.of(
                "Tcp: RtoAlgorithm RtoMin",
                "Tcp: 1 200",
                "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors",
                "Udp: 25432519 0 175 25307035 174 0",
                "UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors",
                "UdpLite: 0 0 0 0 9 0"))).isEqualTo(174);
    }

    @Test
    public void saysItDoesNotKnowWhenTheLinesAreMissingOrDisagree() {
        assertThat(UdpCounters.rcvbufErrors(List.of())).isEqualTo(-1);
        assertThat(UdpCounters.rcvbufErrors(List.of("Udp: InDatagrams RcvbufErrors", "Udp: 1"))).isEqualTo(-1);
        assertThat(UdpCounters.rcvbufErrors(List.of("Udp: InDatagrams NoPorts", "Udp: 1 2"))).isEqualTo(-1);
    }
}
