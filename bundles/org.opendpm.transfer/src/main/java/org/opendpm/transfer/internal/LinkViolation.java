package org.opendpm.transfer.internal;

import org.opendpm.agent.protocol.ProtocolException;

/**
 * A peer broke the protocol or the session's rules; the connection is closed and the violation counted under
 * {@link #kind()}. The message completes the log line "Agent &lt;address&gt;: &lt;message&gt;; connection closed".
 */
final class LinkViolation extends Exception {
    private static final long serialVersionUID = 1L;

    private final LinkStats.Kind kind;

    LinkViolation(LinkStats.Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    /** The codec's refusal of bytes, counted under the same name. */
    static LinkViolation of(ProtocolException e) {
        return new LinkViolation(LinkStats.Kind.valueOf(e.reason().name()), e.getMessage());
    }

    LinkStats.Kind kind() {
        return kind;
    }
}
