package org.opendpm.api;

/**
 * The database gave up on the request because of other work at the same moment (chosen as a deadlock's victim, or
 * a lock not obtained in time); the request may succeed when tried again.
 */
public class StoreBusyException extends StoreUnavailableException {
    private static final long serialVersionUID = 1L;

    public StoreBusyException(String message, Throwable cause) {
        super(message, cause);
    }
}
