package org.opendpm.netboot.internal.pxe;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.opendpm.netboot.internal.pxe.PxeStats.Malformed;

/**
 * Reads and writes BOOTP/DHCP messages (RFC 2131, options per RFC 2132). Reading is strict about structure (an
 * option that runs past the end rejects the whole packet, since anything after it is unreliable) and leaves meaning
 * to {@link PxeRequest}. Option overload (option 52) is not followed: PXE clients do not use it.
 */
public final class DhcpCodec {

    /** op .. file: the fixed BOOTP part. */
    public static final int HEADER_LENGTH = 236;
    private static final int MAGIC_COOKIE = 0x63825363;
    /** The smallest BOOTP message (RFC 951); some PXE ROMs refuse shorter replies. */
    private static final int MIN_REPLY_LENGTH = 300;

    private DhcpCodec() {
    }

    public static DhcpPacket decode(byte[] data) throws MalformedDhcpException {
        return decode(ByteBuffer.wrap(data));
    }

    public static DhcpPacket decode(ByteBuffer in) throws MalformedDhcpException {
        if (in.remaining() < HEADER_LENGTH + 4) {
            throw new MalformedDhcpException(Malformed.TRUNCATED, in.remaining() + " bytes");
        }
        int op = in.get() & 0xff;
        int htype = in.get() & 0xff;
        int hlen = in.get() & 0xff;
        int hops = in.get() & 0xff;
        int xid = in.getInt();
        int secs = in.getShort() & 0xffff;
        int flags = in.getShort() & 0xffff;
        byte[] ciaddr = bytes(in, 4);
        byte[] yiaddr = bytes(in, 4);
        byte[] siaddr = bytes(in, 4);
        byte[] giaddr = bytes(in, 4);
        byte[] chaddr = bytes(in, 16);
        String sname = cString(bytes(in, 64));
        String file = cString(bytes(in, 128));
        if (in.getInt() != MAGIC_COOKIE) {
            throw new MalformedDhcpException(Malformed.BAD_MAGIC_COOKIE, "no DHCP magic cookie");
        }
        Map<Integer, byte[]> options = new LinkedHashMap<>();
        while (in.hasRemaining()) {
            int code = in.get() & 0xff;
            if (code == DhcpPacket.OPT_PAD) {
                continue;
            }
            if (code == DhcpPacket.OPT_END) {
                break;
            }
            if (!in.hasRemaining()) {
                throw new MalformedDhcpException(Malformed.OPTION_OVERRUN, "option " + code + " has no length");
            }
            int len = in.get() & 0xff;
            if (len > in.remaining()) {
                throw new MalformedDhcpException(Malformed.OPTION_OVERRUN,
                        "option " + code + " length " + len + " past the end (" + in.remaining() + " left)");
            }
            byte[] value = bytes(in, len);
            options.merge(code, value, DhcpCodec::concat);
        }
        return new DhcpPacket(op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr, sname,
                file, options);
    }

    /** The packet on the wire; options longer than 255 bytes are split (RFC 3396), then END, padded to 300 bytes. */
    public static byte[] encode(DhcpPacket p) {
        byte[] sname = fixed(p.sname(), 64);
        byte[] file = fixed(p.file(), 128);
        ByteArrayOutputStream out = new ByteArrayOutputStream(MIN_REPLY_LENGTH + 64);
        ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH + 4);
        header.put((byte) p.op()).put((byte) p.htype()).put((byte) p.hlen()).put((byte) p.hops());
        header.putInt(p.xid()).putShort((short) p.secs()).putShort((short) p.flags());
        header.put(p.ciaddr()).put(p.yiaddr()).put(p.siaddr()).put(p.giaddr()).put(p.chaddr());
        header.put(sname).put(file).putInt(MAGIC_COOKIE);
        out.write(header.array(), 0, header.position());
        for (Map.Entry<Integer, byte[]> e : p.options().entrySet()) {
            byte[] v = e.getValue();
            int off = 0;
            do {
                int n = Math.min(255, v.length - off);
                out.write(e.getKey());
                out.write(n);
                out.write(v, off, n);
                off += n;
            } while (off < v.length);
        }
        out.write(DhcpPacket.OPT_END);
        while (out.size() < MIN_REPLY_LENGTH) {
            out.write(0);
        }
        return out.toByteArray();
    }

    private static byte[] fixed(String text, int size) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        if (b.length >= size) {
            // The field must keep a terminating NUL; a longer name cannot be sent in BOOTP.
            throw new IllegalArgumentException("'" + text + "' does not fit a " + size + "-byte field");
        }
        byte[] out = new byte[size];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    private static byte[] bytes(ByteBuffer in, int n) {
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
