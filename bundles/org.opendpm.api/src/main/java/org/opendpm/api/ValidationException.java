package org.opendpm.api;

/** Input that is refused; {@link #field()} names the field at fault, when there is one. */
public class ValidationException extends OpenDpmException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public ValidationException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The field at fault, or {@code null} when the input is wrong as a whole. */
    public String field() {
        return field;
    }
}
