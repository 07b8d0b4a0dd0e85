package org.opendpm.agent.protocol;

import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Bytes that break the protocol: a frame too long or too short, an unknown frame or message type, JSON that does not
 * parse, a required member missing or of the wrong type. The reader closes the connection; {@link #reason()} is the
 * counter key of docs/agent-protocol.md and {@link #member()} names the offending member when there is one.
 */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why the bytes were refused; {@link #key()} is the name administrators see. */
    public enum Reason {
        OVERSIZED_FRAME, MALFORMED_FRAME, UNKNOWN_FRAME_TYPE, UNKNOWN_TYPE, BAD_MEMBER;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private final Reason reason;
    private final String member;
    private final long requestId;

    public ProtocolException(Reason reason, String message) {
        this(reason, null, message);
    }

    public ProtocolException(Reason reason, String member, String message) {
        this(reason, member, message, -1);
    }

    ProtocolException(Reason reason, String member, String message, long requestId) {
        super(message);
        this.reason = reason;
        this.member = member;
        this.requestId = requestId;
    }

    /**
     * For {@link Reason#UNKNOWN_TYPE} and {@link Reason#BAD_MEMBER}: the integer {@code id} of the message, if it had
     * one. The agent answers such a request (of a newer server, or malformed) with an error and keeps the connection;
     * the server closes it.
     */
    public OptionalLong requestId() {
        return requestId >= 0 ? OptionalLong.of(requestId) : OptionalLong.empty();
    }

    public Reason reason() {
        return reason;
    }

    /** The member that is missing or wrong, for {@link Reason#BAD_MEMBER}. */
    public Optional<String> member() {
        return Optional.ofNullable(member);
    }
}
