package org.opendpm.transfer.internal;

/**
 * A peer broke the protocol; the connection is closed and the violation counted under {@link #kind()}. The message
 * completes the log line "Agent &lt;address&gt;: &lt;message&gt;; connection closed".
 */
final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    private final LinkStats.Kind kind;

    ProtocolException(LinkStats.Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    LinkStats.Kind kind() {
        return kind;
    }
}
