package org.opendpm.netboot.internal.pxe;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A BOOTP/DHCP message (RFC 2131): the fixed header and the options after the magic cookie, by code, in the order
 * they came. An option that appeared several times holds the concatenation of its parts (RFC 3396).
 *
 * @param op 1 BOOTREQUEST, 2 BOOTREPLY
 * @param chaddr the 16-byte client hardware address field
 * @param sname the 64-byte server host name field, as text up to its first NUL
 * @param file the 128-byte boot file field, as text up to its first NUL
 */
public record DhcpPacket(int op, int htype, int hlen, int hops, int xid, int secs, int flags, byte[] ciaddr,
        byte[] yiaddr, byte[] siaddr, byte[] giaddr, byte[] chaddr, String sname, String file,
        Map<Integer, byte[]> options) {

    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;

    public static final int OPT_PAD = 0;
    public static final int OPT_CLIENT_ID = 61;
    public static final int OPT_MESSAGE_TYPE = 53;
    public static final int OPT_SERVER_ID = 54;
    public static final int OPT_VENDOR_CLASS = 60;
    public static final int OPT_VENDOR_SPECIFIC = 43;
    public static final int OPT_USER_CLASS = 77;
    public static final int OPT_CLIENT_ARCH = 93;
    public static final int OPT_CLIENT_NDI = 94;
    public static final int OPT_CLIENT_UUID = 97;
    public static final int OPT_END = 255;

    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int ACK = 5;
    public static final int INFORM = 8;

    /** The broadcast bit of {@code flags}. */
    public static final int FLAG_BROADCAST = 0x8000;

    public DhcpPacket {
        ciaddr = addr(ciaddr);
        yiaddr = addr(yiaddr);
        siaddr = addr(siaddr);
        giaddr = addr(giaddr);
        chaddr = Arrays.copyOf(chaddr == null ? new byte[0] : chaddr, 16);
        sname = sname == null ? "" : sname;
        file = file == null ? "" : file;
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    private static byte[] addr(byte[] a) {
        return a == null ? new byte[4] : Arrays.copyOf(a, 4);
    }

    public Optional<byte[]> option(int code) {
        return Optional.ofNullable(options.get(code));
    }

    /** The client's MAC as {@code aa:bb:cc:dd:ee:ff} (chaddr with hlen 6). */
    public String mac() {
        StringBuilder b = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                b.append(':');
            }
            b.append(Character.forDigit((chaddr[i] >> 4) & 0xf, 16)).append(Character.forDigit(chaddr[i] & 0xf, 16));
        }
        return b.toString();
    }

    /** The DHCP message type (option 53), 0 when absent. */
    public int messageType() {
        byte[] t = options.get(OPT_MESSAGE_TYPE);
        return t == null || t.length != 1 ? 0 : t[0] & 0xff;
    }
}
