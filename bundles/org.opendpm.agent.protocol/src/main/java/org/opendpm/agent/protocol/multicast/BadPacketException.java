package org.opendpm.agent.protocol.multicast;

import java.util.Locale;

/**
 * A datagram that is not a packet of docs/multicast.md, or breaks one of its bounds. It is dropped, never allowed to
 * end a channel; there is no stack trace, so a flood of them costs little.
 */
public final class BadPacketException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a datagram was refused; {@link #key()} is the name logs and counters use. */
    public enum Reason {
        /** Shorter than the header. */
        SHORT,
        /** Not our magic. */
        MAGIC,
        /** A version this end does not speak. */
        VERSION,
        /** An unknown packet type. */
        TYPE,
        /** A length that disagrees with the datagram's size. */
        LENGTH,
        /** A field outside its range. */
        FIELD;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    public BadPacketException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
