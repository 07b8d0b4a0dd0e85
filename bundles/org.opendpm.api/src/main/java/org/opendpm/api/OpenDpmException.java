package org.opendpm.api;

/** Base of the errors OpenDPM services report to their callers; the message is for an administrator. */
public abstract class OpenDpmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected OpenDpmException(String message) {
        super(message);
    }

    protected OpenDpmException(String message, Throwable cause) {
        super(message, cause);
    }
}
