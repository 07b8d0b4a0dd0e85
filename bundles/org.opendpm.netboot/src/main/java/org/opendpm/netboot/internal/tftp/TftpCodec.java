package org.opendpm.netboot.internal.tftp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.opendpm.netboot.internal.tftp.TftpPacket.Mode;
import org.opendpm.netboot.internal.tftp.TftpPacket.Option;
import org.opendpm.netboot.internal.tftp.TftpStats.ErrorKind;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Decodes and encodes TFTP packets. Stateless; every method is a pure function of its input.
 *
 * <p>What is refused and how (the reply code is what the sender gets back):
 * <ul>
 * <li>shorter than an opcode, or an unknown opcode: ERROR 4 (illegal TFTP operation);</li>
 * <li>RRQ/WRQ whose file name or mode is not NUL-terminated, or with an unknown mode: ERROR 4;</li>
 * <li>an option name or value not NUL-terminated, or a name without its value: ERROR 8, since
 *     the option negotiation of RFC 2347 cannot proceed. Trailing NUL padding after the last
 *     option is tolerated because some boot ROMs pad their requests;</li>
 * <li>DATA or ACK shorter than 4 bytes: ERROR 4;</li>
 * <li>a broken ERROR packet: counted, never answered (an error answering an error can loop).</li>
 * </ul>
 * File names are decoded as UTF-8 (what Linux paths use); mode and option names are
 * case-insensitive (RFC 1350, RFC 2347) and returned in lower case.
 */
public final class TftpCodec {

    private TftpCodec() {
    }

    public static TftpPacket decode(ByteBuf buf) throws MalformedPacketException {
        if (buf.readableBytes() < 2) {
            throw malformed(TftpErrorCode.ILLEGAL_OPERATION, "packet shorter than an opcode");
        }
        int opcode = buf.getUnsignedShort(buf.readerIndex());
        switch (opcode) {
        case TftpPacket.OP_RRQ:
        case TftpPacket.OP_WRQ:
            return decodeRequest(buf, opcode == TftpPacket.OP_WRQ);
        case TftpPacket.OP_DATA:
            if (buf.readableBytes() < 4) {
                throw malformed(TftpErrorCode.ILLEGAL_OPERATION, "truncated DATA");
            }
            return new TftpPacket.Data(buf.getUnsignedShort(buf.readerIndex() + 2),
                    buf.retainedSlice(buf.readerIndex() + 4, buf.readableBytes() - 4));
        case TftpPacket.OP_ACK:
            if (buf.readableBytes() < 4) {
                throw malformed(TftpErrorCode.ILLEGAL_OPERATION, "truncated ACK");
            }
            return new TftpPacket.Ack(buf.getUnsignedShort(buf.readerIndex() + 2));
        case TftpPacket.OP_ERROR:
            if (buf.readableBytes() < 4) {
                throw malformed(null, "truncated ERROR");
            }
            int code = buf.getUnsignedShort(buf.readerIndex() + 2);
            int start = buf.readerIndex() + 4;
            int nul = buf.indexOf(start, buf.writerIndex(), (byte) 0);
            int end = nul < 0 ? buf.writerIndex() : nul;
            return new TftpPacket.Error(code, buf.toString(start, end - start, StandardCharsets.UTF_8));
        case TftpPacket.OP_OACK:
            return new TftpPacket.OptionAck(decodeOptions(buf, buf.readerIndex() + 2));
        default:
            throw new MalformedPacketException(ErrorKind.UNKNOWN_OPCODE, TftpErrorCode.ILLEGAL_OPERATION,
                    "unknown opcode " + opcode);
        }
    }

    private static TftpPacket.Request decodeRequest(ByteBuf buf, boolean write) throws MalformedPacketException {
        int pos = buf.readerIndex() + 2;
        int end = buf.writerIndex();
        int nul = buf.indexOf(pos, end, (byte) 0);
        if (nul < 0) {
            throw malformed(TftpErrorCode.ILLEGAL_OPERATION, "file name not terminated");
        }
        String filename = buf.toString(pos, nul - pos, StandardCharsets.UTF_8);
        pos = nul + 1;
        nul = buf.indexOf(pos, end, (byte) 0);
        if (nul < 0) {
            throw malformed(TftpErrorCode.ILLEGAL_OPERATION, "mode not terminated");
        }
        String modeName = ascii(buf, pos, nul);
        Mode mode;
        switch (modeName) {
        case "octet":
            mode = Mode.OCTET;
            break;
        case "netascii":
            mode = Mode.NETASCII;
            break;
        case "mail":
            mode = Mode.MAIL;
            break;
        default:
            throw malformed(TftpErrorCode.ILLEGAL_OPERATION, "unknown mode '" + modeName + "'");
        }
        return new TftpPacket.Request(write, filename, mode, decodeOptions(buf, nul + 1));
    }

    private static List<Option> decodeOptions(ByteBuf buf, int from) throws MalformedPacketException {
        List<Option> options = new ArrayList<>(4);
        int pos = from;
        int end = buf.writerIndex();
        while (pos < end) {
            if (allZero(buf, pos, end)) {
                break;
            }
            int nameEnd = buf.indexOf(pos, end, (byte) 0);
            if (nameEnd < 0) {
                throw badOption("option name not terminated");
            }
            if (nameEnd == pos) {
                throw badOption("empty option name");
            }
            int valueStart = nameEnd + 1;
            if (valueStart >= end) {
                throw badOption("option '" + ascii(buf, pos, nameEnd) + "' has no value");
            }
            int valueEnd = buf.indexOf(valueStart, end, (byte) 0);
            if (valueEnd < 0) {
                throw badOption("value of option '" + ascii(buf, pos, nameEnd) + "' not terminated");
            }
            options.add(new Option(ascii(buf, pos, nameEnd), ascii(buf, valueStart, valueEnd)));
            pos = valueEnd + 1;
        }
        return options;
    }

    private static boolean allZero(ByteBuf buf, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf.getByte(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static String ascii(ByteBuf buf, int from, int to) {
        return buf.toString(from, to - from, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
    }

    private static MalformedPacketException malformed(TftpErrorCode reply, String message) {
        return new MalformedPacketException(ErrorKind.MALFORMED, reply, message);
    }

    private static MalformedPacketException badOption(String message) {
        return new MalformedPacketException(ErrorKind.MALFORMED, TftpErrorCode.OPTION_NEGOTIATION, message);
    }

    // ---- encoding ----

    /** Writes the 4-byte DATA header; the caller appends the block's content. */
    public static void writeDataHeader(ByteBuf dst, int block) {
        dst.writeShort(TftpPacket.OP_DATA);
        dst.writeShort(block & 0xFFFF);
    }

    public static ByteBuf ack(ByteBufAllocator alloc, int block) {
        ByteBuf b = alloc.directBuffer(4);
        b.writeShort(TftpPacket.OP_ACK);
        b.writeShort(block & 0xFFFF);
        return b;
    }

    public static ByteBuf error(ByteBufAllocator alloc, TftpErrorCode code, String message) {
        byte[] text = message.getBytes(StandardCharsets.US_ASCII);
        ByteBuf b = alloc.directBuffer(5 + text.length);
        b.writeShort(TftpPacket.OP_ERROR);
        b.writeShort(code.code());
        b.writeBytes(text);
        b.writeByte(0);
        return b;
    }

    public static ByteBuf optionAck(ByteBufAllocator alloc, List<Option> options) {
        ByteBuf b = alloc.directBuffer(64);
        b.writeShort(TftpPacket.OP_OACK);
        writeOptions(b, options);
        return b;
    }

    /** A request as a client sends it; used by tests and tools. */
    public static ByteBuf request(ByteBufAllocator alloc, boolean write, String filename, String mode,
            List<Option> options) {
        ByteBuf b = alloc.heapBuffer(64);
        b.writeShort(write ? TftpPacket.OP_WRQ : TftpPacket.OP_RRQ);
        b.writeBytes(filename.getBytes(StandardCharsets.UTF_8));
        b.writeByte(0);
        b.writeBytes(mode.getBytes(StandardCharsets.US_ASCII));
        b.writeByte(0);
        writeOptions(b, options);
        return b;
    }

    private static void writeOptions(ByteBuf b, List<Option> options) {
        for (Option o : options) {
            b.writeBytes(o.name().getBytes(StandardCharsets.US_ASCII));
            b.writeByte(0);
            b.writeBytes(o.value().getBytes(StandardCharsets.US_ASCII));
            b.writeByte(0);
        }
    }
}
