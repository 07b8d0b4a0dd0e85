package org.opendpm.image.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.opendpm.image.ImageFormatException;

/**
 * Reads big-endian fields from bytes of the image file, checking that each lies inside them; every fault names the
 * field and its file offset.
 */
public final class Cursor {
    private final ByteBuffer buf;
    private final long fileOffset;

    /** {@code buf} holds the file's bytes from {@code fileOffset} on, from its position to its limit. */
    public Cursor(ByteBuffer buf, long fileOffset) {
        this.buf = buf;
        this.fileOffset = fileOffset - buf.position();
    }

    public long offset() {
        return fileOffset + buf.position();
    }

    public int remaining() {
        return buf.remaining();
    }

    private void need(int n, String what) throws ImageFormatException {
        if (buf.remaining() < n) {
            throw new ImageFormatException(what + " runs past the end of its section (" + n + " bytes needed, "
                    + buf.remaining() + " left)", offset());
        }
    }

    public int u8(String what) throws ImageFormatException {
        need(1, what);
        return buf.get() & 0xFF;
    }

    public int u16(String what) throws ImageFormatException {
        need(2, what);
        return buf.getShort() & 0xFFFF;
    }

    public long u32(String what) throws ImageFormatException {
        need(4, what);
        return buf.getInt() & 0xFFFF_FFFFL;
    }

    public int i32(String what) throws ImageFormatException {
        need(4, what);
        return buf.getInt();
    }

    /** A 64-bit field that must not be negative. */
    public long u63(String what) throws ImageFormatException {
        need(8, what);
        long at = offset();
        long v = buf.getLong();
        if (v < 0) {
            throw new ImageFormatException(what + " is " + Long.toUnsignedString(v) + ", beyond 2^63", at);
        }
        return v;
    }

    public long i64(String what) throws ImageFormatException {
        need(8, what);
        return buf.getLong();
    }

    /** Length-prefixed bytes: the length (u32) is checked against {@code max} and the bytes left before copying. */
    public byte[] bytes(int max, String what) throws ImageFormatException {
        long at = offset();
        long n = u32(what + " length");
        if (n > max) {
            throw new ImageFormatException(what + " claims " + n + " bytes, more than the limit " + max, at);
        }
        return fixed((int) n, what);
    }

    public byte[] fixed(int n, String what) throws ImageFormatException {
        need(n, what);
        byte[] b = new byte[n];
        buf.get(b);
        return b;
    }

    /** A u16-length-prefixed UTF-8 string of at most {@code max} bytes. */
    public String string(int max, String what) throws ImageFormatException {
        long at = offset();
        int n = u16(what + " length");
        if (n > max) {
            throw new ImageFormatException(what + " claims " + n + " bytes, more than the limit " + max, at);
        }
        byte[] b = fixed(n, what);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new ImageFormatException(what + " is not UTF-8", at);
        }
    }

    /** Fails when a count read at {@code at} exceeds {@code max}; called before anything is sized by the count. */
    public static void bound(long count, long max, String what, long at) throws ImageFormatException {
        if (count > max) {
            throw new ImageFormatException(what + " is " + count + ", more than the limit " + max, at);
        }
    }
}
