package org.opendpm.netboot.internal.pxe;

/** A DHCP packet that cannot be read; the packet is counted under {@link #kind()} and dropped, never answered. */
public final class MalformedDhcpException extends Exception {

    private static final long serialVersionUID = 1L;

    private final PxeStats.Malformed kind;

    public MalformedDhcpException(PxeStats.Malformed kind, String message) {
        // No stack trace: malformed packets are routine on a shared network and only counted and logged.
        super(message, null, false, false);
        this.kind = kind;
    }

    public PxeStats.Malformed kind() {
        return kind;
    }
}
