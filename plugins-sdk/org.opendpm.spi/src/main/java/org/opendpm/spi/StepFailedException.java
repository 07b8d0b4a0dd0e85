package org.opendpm.spi;

/** A step that cannot go on; its message is for the administrator and is shown as it is. */
public class StepFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StepFailedException(String message) {
        super(message);
    }

    public StepFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
