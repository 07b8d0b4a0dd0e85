package org.opendpm.netboot.internal.tftp;

import java.util.List;

import io.netty.buffer.ByteBuf;

/**
 * A decoded TFTP packet. Block numbers are the 16-bit wire values (0-65535); transfers map
 * them to 64-bit absolute block counts so files longer than 65535 blocks roll over.
 */
public sealed interface TftpPacket {

    int OP_RRQ = 1;
    int OP_WRQ = 2;
    int OP_DATA = 3;
    int OP_ACK = 4;
    int OP_ERROR = 5;
    int OP_OACK = 6;

    /** Transfer modes of RFC 1350 ("mail" is obsolete and refused). */
    enum Mode {
        OCTET, NETASCII, MAIL
    }

    /** One option name/value pair in the order the client sent it (RFC 2347). */
    record Option(String name, String value) {
    }

    /** RRQ or WRQ. {@code options} keeps duplicates: refusing them is the negotiator's job. */
    record Request(boolean write, String filename, Mode mode, List<Option> options) implements TftpPacket {
        public Request {
            options = List.copyOf(options);
        }
    }

    /** DATA; {@code content} is a retained slice the receiver must release. */
    record Data(int block, ByteBuf content) implements TftpPacket {
    }

    record Ack(int block) implements TftpPacket {
    }

    record Error(int code, String message) implements TftpPacket {
    }

    record OptionAck(List<Option> options) implements TftpPacket {
        public OptionAck {
            options = List.copyOf(options);
        }
    }
}
