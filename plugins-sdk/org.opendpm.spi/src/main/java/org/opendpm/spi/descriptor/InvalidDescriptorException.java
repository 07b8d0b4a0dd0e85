package org.opendpm.spi.descriptor;

import java.io.IOException;

/** A Deploy-OS descriptor that cannot be used; the message says where and why. */
public class InvalidDescriptorException extends IOException {
    private static final long serialVersionUID = 1L;

    public InvalidDescriptorException(String message) {
        super(message);
    }
}
