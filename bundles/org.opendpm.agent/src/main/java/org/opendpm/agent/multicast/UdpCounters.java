package org.opendpm.agent.multicast;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's UDP counters of this network namespace (Linux {@code /proc/net/snmp}): how many datagrams it dropped
 * for a full receive buffer. A Deploy-OS runs one receiver, so the namespace's count is the receiver's.
 */
final class UdpCounters {

    private static final Path SNMP = Path.of("/proc/net/snmp");

    private UdpCounters() {
    }

    /** {@code Udp: RcvbufErrors}, or -1 where the kernel does not tell. */
    static long rcvbufErrors() {
        try {
            return rcvbufErrors(Files.readAllLines(SNMP));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** From the lines of {@code /proc/net/snmp}: a header line of names, then a line of values, per protocol. */
    static long rcvbufErrors(List<String> lines) {
        for (int i = 0; i + 1 < lines.size(); i++) {
            String[] names = lines.get(i).split(" ");
            String[] values = lines.get(i + 1).split(" ");
            if (names[0].equals("Udp:") && values[0].equals("Udp:") && names.length == values.length) {
                for (int k = 1; k < names.length; k++) {
                    if (names[k].equals("RcvbufErrors")) {
                        return Long.parseLong(values[k]);
                    }
                }
            }
        }
        return -1;
    }
}
