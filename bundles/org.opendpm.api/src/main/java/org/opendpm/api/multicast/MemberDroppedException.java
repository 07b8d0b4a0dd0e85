package org.opendpm.api.multicast;

/** A member was dropped from its session because it stayed behind beyond the drop bound; the message says why. */
public class MemberDroppedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MemberDroppedException(String message) {
        super(message);
    }
}
