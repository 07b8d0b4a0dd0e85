package org.opendpm.netboot.internal.pxe;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Hand-built DHCP requests as PXE firmware, iPXE and broken clients send them, byte by byte. */
public final class Requests {

    public static final byte[] MAC = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    public static final String MAC_TEXT = "52:54:00:12:34:56";
    public static final String UUID_TEXT = "8d3f1e2a-4b5c-4d6e-9f70-8192a3b4c5d6";

    private final ByteArrayOutputStream options = new ByteArrayOutputStream();
    private int op = 1;
    private int htype = 1;
    private int hlen = 6;
    private int xid = 0x1234abcd;
    private int flags = 0x8000;
    private byte[] ciaddr = new byte[4];
    private boolean cookie = true;

    public static Requests pxe(int messageType, int arch) {
        return new Requests().option(53, messageType)
                .option(60, ("PXEClient:Arch:" + String.format("%05d", arch) + ":UNDI:002001")
                        .getBytes(StandardCharsets.US_ASCII))
                .option(93, arch >> 8, arch & 0xff).option(94, 1, 3, 16).option(97, uuidOption());
    }

    public static byte[] uuidOption() {
        byte[] u = new byte[17];
        String hex = UUID_TEXT.replace("-", "");
        for (int i = 0; i < 16; i++) {
            u[i + 1] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return u;
    }

    public Requests op(int v) {
        op = v;
        return this;
    }

    public Requests hardware(int type, int len) {
        htype = type;
        hlen = len;
        return this;
    }

    public Requests flags(int v) {
        flags = v;
        return this;
    }

    public Requests ciaddr(byte[] v) {
        ciaddr = v;
        return this;
    }

    public Requests noCookie() {
        cookie = false;
        return this;
    }

    public Requests option(int code, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return option(code, b);
    }

    public Requests option(int code, byte[] value) {
        options.write(code);
        options.write(value.length);
        options.write(value, 0, value.length);
        return this;
    }

    public Requests option(int code, String text) {
        return option(code, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Raw bytes in the options area, for lengths that lie. */
    public Requests raw(int... bytes) {
        for (int b : bytes) {
            options.write(b);
        }
        return this;
    }

    /** With an END option. */
    public byte[] build() {
        return build(true);
    }

    public byte[] build(boolean end) {
        byte[] opts = options.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(236 + 4 + opts.length + 1);
        b.put((byte) op).put((byte) htype).put((byte) hlen).put((byte) 0).putInt(xid).putShort((short) 4)
                .putShort((short) flags).put(ciaddr).put(new byte[12]);
        byte[] chaddr = new byte[16];
        System.arraycopy(MAC, 0, chaddr, 0, 6);
        b.put(chaddr).put(new byte[64 + 128]);
        b.putInt(cookie ? 0x63825363 : 0x01020304);
        b.put(opts);
        if (end) {
            b.put((byte) 255);
        }
        byte[] out = new byte[b.position()];
        System.arraycopy(b.array(), 0, out, 0, out.length);
        return out;
    }
}
