package org.opendpm.agent.disk;

/** The bytes on a disk are not a partition table the agent can trust; the message says what is wrong and where. */
public class DiskFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public DiskFormatException(String message) {
        super(message);
    }
}
