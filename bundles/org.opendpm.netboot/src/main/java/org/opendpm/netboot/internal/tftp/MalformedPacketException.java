package org.opendpm.netboot.internal.tftp;

/**
 * A datagram that is not a well-formed TFTP packet. {@link #reply()} is the error code the
 * sender gets back, or {@code null} where no answer is due (e.g. a broken ERROR packet: answering
 * errors with errors can loop between two peers).
 */
public final class MalformedPacketException extends Exception {

    private static final long serialVersionUID = 1L;

    private final TftpStats.ErrorKind kind;
    private final TftpErrorCode reply;

    public MalformedPacketException(TftpStats.ErrorKind kind, TftpErrorCode reply, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.reply = reply;
    }

    public TftpStats.ErrorKind kind() {
        return kind;
    }

    public TftpErrorCode reply() {
        return reply;
    }
}
