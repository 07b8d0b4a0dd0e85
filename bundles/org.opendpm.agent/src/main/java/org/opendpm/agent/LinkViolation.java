package org.opendpm.agent;

import java.io.IOException;

/** The server broke the session's rules (a message out of order); the connection is closed. */
final class LinkViolation extends IOException {
    private static final long serialVersionUID = 1L;

    LinkViolation(String message) {
        super(message);
    }
}
