package org.opendpm.agent.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

import org.opendpm.agent.protocol.ProtocolException.Reason;

/**
 * The frame format: {@code uint32 length} (big-endian, of what follows, at least 1), {@code uint8 type}, payload. A
 * control payload is one JSON message ({@link MessageCodec}); a data payload is {@code uint64 transferId} and the
 * chunk. The length is checked against the reader's limit before anything of the payload is read or allocated.
 *
 * <p>Blocking readers use {@link #read(InputStream, int)}; a Netty decoder checks the four length bytes with
 * {@link #checkLength(long, int)} as soon as they are in and hands the whole frame to {@link #decode(byte,
 * ByteBuffer)}.
 */
public final class FrameCodec {

    public static final byte CONTROL = 1;
    public static final byte DATA = 2;
    /** Length prefix and type byte. */
    public static final int HEADER_BYTES = 5;
    /** Length prefix, type byte and transfer id before a chunk. */
    public static final int DATA_HEADER_BYTES = HEADER_BYTES + 8;
    /** The largest chunk either side sends. */
    public static final int MAX_CHUNK = 256 * 1024;
    /** The server's default frame limit ({@code maxFrameBytes}): a full chunk with room to spare. */
    public static final int DEFAULT_MAX_FRAME = 1024 * 1024 + 16;
    /** The limit before {@code hello} succeeded: register and hello are small. */
    public static final int MAX_BEFORE_HELLO = 64 * 1024;
    /** The agent's limit on what the server sends. */
    public static final int AGENT_MAX_FRAME = 16 * 1024 * 1024;

    private FrameCodec() {
    }

    /** Checks a frame's length prefix against {@code limit}; the length as an int. */
    public static int checkLength(long length, int limit) throws ProtocolException {
        if (length < 1) {
            throw new ProtocolException(Reason.MALFORMED_FRAME,
                    "frame of length 0 (at least 1 is needed for its type)");
        }
        if (length > limit) {
            throw new ProtocolException(Reason.OVERSIZED_FRAME, "frame of " + length + " bytes exceeds the maximum "
                    + limit);
        }
        return (int) length;
    }

    /** Decodes a frame's type and payload (the length prefix already taken off). */
    public static Frame decode(byte type, ByteBuffer payload) throws ProtocolException {
        if (type == CONTROL) {
            return new Frame.Control(MessageCodec.decode(payload));
        }
        if (type == DATA) {
            if (payload.remaining() < 8) {
                throw new ProtocolException(Reason.MALFORMED_FRAME, "data frame shorter than its 8-byte transfer id");
            }
            ByteBuffer p = payload.slice();
            long transferId = p.getLong(0);
            p.position(8);
            return new Frame.Data(transferId, p.slice());
        }
        throw new ProtocolException(Reason.UNKNOWN_FRAME_TYPE, "frame type " + (type & 0xff) + " is unknown");
    }

    /** Decodes exactly one whole frame, length prefix included. */
    public static Frame decode(ByteBuffer frame, int limit) throws ProtocolException {
        ByteBuffer f = frame.duplicate();
        if (f.remaining() < 4) {
            throw new ProtocolException(Reason.MALFORMED_FRAME, "frame truncated in its length");
        }
        int length = checkLength(Integer.toUnsignedLong(f.getInt()), limit);
        if (f.remaining() != length) {
            throw new ProtocolException(Reason.MALFORMED_FRAME, "frame announces " + length + " bytes but "
                    + f.remaining() + " follow");
        }
        byte type = f.get();
        return decode(type, f.slice());
    }

    /**
     * Reads the next frame from a blocking stream; null when the stream ends cleanly between frames.
     *
     * @throws EOFException when it ends inside a frame
     */
    public static Frame read(InputStream in, int limit) throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        long length = ((long) b0 << 24) | ((long) readByte(in) << 16) | ((long) readByte(in) << 8) | readByte(in);
        int n = checkLength(length, limit);
        byte type = (byte) readByte(in);
        byte[] payload = new byte[n - 1];
        int off = 0;
        while (off < payload.length) {
            int r = in.read(payload, off, payload.length - off);
            if (r < 0) {
                throw new EOFException("connection closed in the middle of a frame");
            }
            off += r;
        }
        return decode(type, ByteBuffer.wrap(payload));
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed in the middle of a frame");
        }
        return b;
    }

    /** The whole control frame of a message. */
    public static byte[] encode(Message message) {
        byte[] json = MessageCodec.encode(message);
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + json.length);
        b.putInt(json.length + 1).put(CONTROL).put(json);
        return b.array();
    }

    /** The 13 bytes before a chunk of {@code chunkLength} bytes of a transfer. */
    public static byte[] dataHeader(long transferId, int chunkLength) {
        if (chunkLength < 0 || chunkLength > MAX_CHUNK) {
            throw new IllegalArgumentException("a chunk is 0 to " + MAX_CHUNK + " bytes, not " + chunkLength);
        }
        ByteBuffer b = ByteBuffer.allocate(DATA_HEADER_BYTES);
        b.putInt(1 + 8 + chunkLength).put(DATA).putLong(transferId);
        return b.array();
    }

    /** A whole data frame. */
    public static byte[] encodeData(long transferId, byte[] chunk, int offset, int length) {
        ByteBuffer b = ByteBuffer.allocate(DATA_HEADER_BYTES + length);
        b.put(dataHeader(transferId, length)).put(chunk, offset, length);
        return b.array();
    }
}
