package org.opendpm.netboot.internal.pxe;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the PXE responders, safe to read from any thread while the event loops update them.
 */
public final class PxeStats {

    /** Why a packet could not be read. */
    public enum Malformed {
        /** Shorter than the fixed BOOTP header plus the magic cookie. */
        TRUNCATED,
        /** The options do not start with the DHCP magic cookie. */
        BAD_MAGIC_COOKIE,
        /** An option's length runs past the end of the packet. */
        OPTION_OVERRUN,
        /** An option whose length or content its definition forbids (empty client id, odd option 93 ...). */
        BAD_OPTION,
        /** Not an Ethernet MAC in chaddr (htype 1, hlen 6). */
        BAD_HARDWARE_ADDRESS,
        /** A BOOTREPLY (op 2) or an unknown op sent to the server. */
        NOT_A_REQUEST,
        /** No DHCP message type (option 53), or an unknown one. */
        NO_MESSAGE_TYPE
    }

    /** What became of a packet that could be read. */
    public enum Outcome {
        /** Answered with an OFFER (proxyDHCP) or an ACK (boot server). */
        ANSWERED,
        /** Not a PXE client (no {@code PXEClient} vendor class): the site's DHCP server serves it. */
        NOT_PXE,
        /** A message type this responder does not answer (RELEASE, DECLINE, a REQUEST on the proxy port ...). */
        IGNORED_TYPE,
        /** No boot protocol plugin supports the client's architecture. */
        NO_BOOT_PROTOCOL,
        /** The boot decision or the plugin failed; logged. */
        FAILED,
        /** Too many packets waiting for a boot decision; dropped (the client retransmits). */
        OVERLOADED
    }

    private final LongAdder received = new LongAdder();
    private final EnumMap<Malformed, LongAdder> malformed = new EnumMap<>(Malformed.class);
    private final EnumMap<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);

    public PxeStats() {
        for (Malformed m : Malformed.values()) {
            malformed.put(m, new LongAdder());
        }
        for (Outcome o : Outcome.values()) {
            outcomes.put(o, new LongAdder());
        }
    }

    void received() {
        received.increment();
    }

    void malformed(Malformed kind) {
        malformed.get(kind).increment();
    }

    void outcome(Outcome outcome) {
        outcomes.get(outcome).increment();
    }

    /** An immutable copy of the counters. */
    public record Snapshot(long received, Map<Malformed, Long> malformed, Map<Outcome, Long> outcomes) {

        public long malformedTotal() {
            return malformed.values().stream().mapToLong(Long::longValue).sum();
        }

        public long count(Outcome outcome) {
            return outcomes.getOrDefault(outcome, 0L);
        }

        public long count(Malformed kind) {
            return malformed.getOrDefault(kind, 0L);
        }
    }

    public Snapshot snapshot() {
        EnumMap<Malformed, Long> m = new EnumMap<>(Malformed.class);
        malformed.forEach((k, v) -> m.put(k, v.sum()));
        EnumMap<Outcome, Long> o = new EnumMap<>(Outcome.class);
        outcomes.forEach((k, v) -> o.put(k, v.sum()));
        return new Snapshot(received.sum(), Collections.unmodifiableMap(m), Collections.unmodifiableMap(o));
    }
}
