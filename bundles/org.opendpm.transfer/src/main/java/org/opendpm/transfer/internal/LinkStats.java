package org.opendpm.transfer.internal;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the agent link since the component started, by kind; cheap to bump from any thread. */
public final class LinkStats {

    /** What was counted; the name in lower case with hyphens is the key shown to administrators. */
    public enum Kind {
        /** TCP connections accepted past the rate limits. */
        CONNECTIONS_ACCEPTED,
        /** Closed at once because one address opened too many connections per second. */
        RATE_LIMITED_ADDRESS,
        /** Closed at once because all addresses together opened too many connections per second. */
        RATE_LIMITED_TOTAL,
        /** The TLS handshake failed. */
        TLS_FAILED, REGISTERED, AUTHENTICATED,
        /** register for a MAC that already has a credential. */
        ALREADY_REGISTERED,
        /** hello with an unknown MAC or a wrong credential. */
        UNAUTHENTICATED,
        /** A session closed because another connection authenticated for its MAC. */
        REPLACED, OVERSIZED_FRAME,
        /** A frame of length 0, or a control frame whose payload is not one JSON object. */
        MALFORMED_FRAME, UNKNOWN_FRAME_TYPE,
        /** A control message of an unknown {@code type}. */
        UNKNOWN_TYPE, BAD_MEMBER, OUT_OF_ORDER, UNKNOWN_TRANSFER, HELLO_TIMEOUT, HEARTBEAT_LOST,
        /** The server could not check a register or hello (database away, executor full). */
        SERVER_UNAVAILABLE, REQUESTS_SENT, REQUESTS_TIMED_OUT,
        /** Requests the caller cancelled; the agent was told to stop them. */
        REQUESTS_CANCELLED,
        /** A Deploy-OS hello whose one-time token was wrong, used or expired. */
        DEPLOY_OS_REFUSED, STREAM_BYTES_RECEIVED, FILE_BYTES_SENT, DISCOVERY_ANSWERED,
        /** Datagrams on the discovery port that were not a discovery request, or over its rate. */
        DISCOVERY_IGNORED;

        /** Whether the counter counts connections the server closed, and for this reason. */
        public boolean isCloseReason() {
            switch (this) {
            case CONNECTIONS_ACCEPTED:
            case REGISTERED:
            case AUTHENTICATED:
            case REQUESTS_SENT:
            case REQUESTS_TIMED_OUT:
            case REQUESTS_CANCELLED:
            case STREAM_BYTES_RECEIVED:
            case FILE_BYTES_SENT:
            case DISCOVERY_ANSWERED:
            case DISCOVERY_IGNORED:
                return false;
            default:
                return true;
            }
        }

        /** The key shown to administrators ({@code rate-limited-address}). */
        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private final Map<Kind, LongAdder> counters = new EnumMap<>(Kind.class);

    public LinkStats() {
        for (Kind k : Kind.values()) {
            counters.put(k, new LongAdder());
        }
    }

    void add(Kind kind) {
        counters.get(kind).increment();
    }

    void add(Kind kind, long n) {
        counters.get(kind).add(n);
    }

    public long get(Kind kind) {
        return counters.get(kind).sum();
    }

    /** The connections closed by the server, by reason key, for {@code AgentLinkStatus}. */
    public Map<String, Long> closedByReason() {
        Map<String, Long> m = new java.util.TreeMap<>();
        counters.forEach((k, v) -> {
            if (k.isCloseReason()) {
                m.put(k.key(), v.sum());
            }
        });
        return m;
    }

    /** Every counter, in declaration order. */
    public Map<Kind, Long> snapshot() {
        Map<Kind, Long> m = new EnumMap<>(Kind.class);
        counters.forEach((k, v) -> m.put(k, v.sum()));
        return Collections.unmodifiableMap(m);
    }
}
