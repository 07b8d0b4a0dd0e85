package org.opendpm.api;

/** The request conflicts with the current state: a duplicate, a limit reached, a machine busy. */
public class ConflictException extends OpenDpmException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        super(message);
    }
}
