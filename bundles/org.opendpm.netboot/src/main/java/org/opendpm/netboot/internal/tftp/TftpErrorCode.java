package org.opendpm.netboot.internal.tftp;

/** TFTP error codes: 0-7 from RFC 1350, 8 from RFC 2347. */
public enum TftpErrorCode {
    NOT_DEFINED(0), FILE_NOT_FOUND(1), ACCESS_VIOLATION(2), DISK_FULL(3), ILLEGAL_OPERATION(4), UNKNOWN_TRANSFER_ID(
            5), FILE_EXISTS(6), NO_SUCH_USER(7), OPTION_NEGOTIATION(8);

    private final int code;

    TftpErrorCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The enum constant for a wire code, {@link #NOT_DEFINED} for codes no RFC defines. */
    public static TftpErrorCode of(int code) {
        for (TftpErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return NOT_DEFINED;
    }
}
