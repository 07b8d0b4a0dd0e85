package org.opendpm.agent;

import java.io.IOException;

/** The server broke the framing or sent something the link cannot continue after; the connection is closed. */
final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
        super(message);
    }
}
