package org.opendpm.api;

/** The thing asked for does not exist. */
public class NotFoundException extends OpenDpmException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }
}
