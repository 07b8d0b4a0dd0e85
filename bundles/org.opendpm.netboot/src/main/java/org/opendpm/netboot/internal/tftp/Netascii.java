package org.opendpm.netboot.internal.tftp;

import java.io.ByteArrayOutputStream;

import io.netty.buffer.ByteBuf;

/**
 * The netascii transfer mode of RFC 1350 (Telnet NVT line ends): on the wire a line ends with
 * CR LF and a bare CR is sent as CR NUL. Boot files always use octet; netascii is kept for the
 * interactive clients that still default to it.
 */
final class Netascii {

    /** Largest file served in netascii: it is converted in memory, its wire size differs. */
    static final long MAX_ENCODED_SOURCE = 16L << 20;

    private Netascii() {
    }

    static byte[] encode(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + in.length / 16 + 16);
        for (byte b : in) {
            if (b == '\n') {
                out.write('\r');
                out.write('\n');
            } else if (b == '\r') {
                out.write('\r');
                out.write(0);
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    /** Streaming decoder for WRQ in netascii; a CR may end one block and its partner start the next. */
    static final class Decoder {
        private boolean pendingCr;

        /** Decodes {@code in} into {@code out} (readable bytes of {@code in} are consumed). */
        void decode(ByteBuf in, ByteBuf out) {
            while (in.isReadable()) {
                byte b = in.readByte();
                if (pendingCr) {
                    pendingCr = false;
                    if (b == '\n') {
                        out.writeByte('\n');
                        continue;
                    }
                    out.writeByte('\r');
                    if (b == 0) {
                        continue;
                    }
                }
                if (b == '\r') {
                    pendingCr = true;
                } else {
                    out.writeByte(b);
                }
            }
        }

        /** Flushes a CR that ended the file. */
        void finish(ByteBuf out) {
            if (pendingCr) {
                out.writeByte('\r');
                pendingCr = false;
            }
        }
    }
}
