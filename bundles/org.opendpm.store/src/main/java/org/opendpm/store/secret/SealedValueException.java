package org.opendpm.store.secret;

/** A sealed value that cannot be opened: not sealed text, another key or context, or altered. */
public class SealedValueException extends Exception {
    private static final long serialVersionUID = 1L;

    public SealedValueException(String message) {
        super(message);
    }
}
