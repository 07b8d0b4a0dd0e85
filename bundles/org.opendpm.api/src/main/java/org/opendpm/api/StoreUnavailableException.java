package org.opendpm.api;

/** The database cannot be reached now; the request may succeed later. */
public class StoreUnavailableException extends OpenDpmException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
