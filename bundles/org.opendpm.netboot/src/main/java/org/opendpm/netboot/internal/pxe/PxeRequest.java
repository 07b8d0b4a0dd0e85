package org.opendpm.netboot.internal.pxe;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

import org.opendpm.netboot.internal.pxe.PxeStats.Malformed;
import org.opendpm.spi.BootClient;

/**
 * What a DHCP request says about a booting client, checked against the option definitions (RFC 2132, RFC 4578,
 * RFC 3004, PXE 2.1). Anything that contradicts a definition is refused as a whole, so the responder never acts on a
 * half-understood packet.
 *
 * @param packet the request as read
 * @param messageType option 53
 * @param vendorClass option 60 as text, empty when absent
 * @param pxeClient whether option 60 starts with {@code PXEClient} (or {@code HTTPClient}, UEFI HTTP boot)
 * @param client the booting client for the boot protocol plugins
 * @param uuidBytes option 97 as received (type byte and 16 bytes), echoed in the answer
 * @param bootItem PXE vendor sub-option 71 (boot item type and layer), present in requests to the boot server
 */
public record PxeRequest(DhcpPacket packet, int messageType, Optional<String> vendorClass, boolean pxeClient,
        BootClient client, Optional<byte[]> uuidBytes, Optional<byte[]> bootItem) {

    private static final int PXE_BOOT_ITEM = 71;

    public static PxeRequest of(DhcpPacket p) throws MalformedDhcpException {
        if (p.op() != DhcpPacket.BOOTREQUEST) {
            throw new MalformedDhcpException(Malformed.NOT_A_REQUEST, "op " + p.op());
        }
        if (p.htype() != 1 || p.hlen() != 6) {
            throw new MalformedDhcpException(Malformed.BAD_HARDWARE_ADDRESS,
                    "htype " + p.htype() + " hlen " + p.hlen());
        }
        int type = p.option(DhcpPacket.OPT_MESSAGE_TYPE).filter(v -> v.length == 1).map(v -> v[0] & 0xff).orElse(0);
        if (type < 1 || type > 8) {
            throw new MalformedDhcpException(Malformed.NO_MESSAGE_TYPE, "message type " + type);
        }
        Optional<byte[]> clientId = p.option(DhcpPacket.OPT_CLIENT_ID);
        if (clientId.isPresent() && clientId.get().length < 2) {
            // RFC 2132 9.14: a type byte and at least one byte of identifier.
            throw new MalformedDhcpException(Malformed.BAD_OPTION, "client identifier of " + clientId.get().length
                    + " bytes");
        }
        Optional<String> vendorClass = p.option(DhcpPacket.OPT_VENDOR_CLASS).map(DhcpPacketText::printable);
        boolean pxe = vendorClass.filter(v -> v.startsWith("PXEClient") || v.startsWith("HTTPClient")).isPresent();
        Optional<byte[]> uuid = p.option(DhcpPacket.OPT_CLIENT_UUID);
        if (uuid.isPresent() && (uuid.get().length != 17 || uuid.get()[0] != 0)) {
            throw new MalformedDhcpException(Malformed.BAD_OPTION, "client UUID (97) of " + uuid.get().length
                    + " bytes, type " + (uuid.get().length > 0 ? uuid.get()[0] & 0xff : -1));
        }
        int arch = architecture(p, vendorClass, pxe);
        Optional<String> userClass = userClass(p);
        Optional<byte[]> bootItem = bootItem(p);
        BootClient client = new BootClient(p.mac(), uuid.map(PxeRequest::uuidText), arch, userClass);
        return new PxeRequest(p, type, vendorClass, pxe, client, uuid, bootItem);
    }

    /** Option 93 (the first of its list), else the {@code Arch:nnnnn} field of a PXE vendor class, else BIOS. */
    private static int architecture(DhcpPacket p, Optional<String> vendorClass, boolean pxe)
            throws MalformedDhcpException {
        Optional<byte[]> o93 = p.option(DhcpPacket.OPT_CLIENT_ARCH);
        if (o93.isPresent()) {
            byte[] v = o93.get();
            if (v.length == 0 || v.length % 2 != 0) {
                throw new MalformedDhcpException(Malformed.BAD_OPTION, "client architecture (93) of " + v.length
                        + " bytes");
            }
            return ((v[0] & 0xff) << 8) | (v[1] & 0xff);
        }
        if (pxe) {
            String[] fields = vendorClass.get().split(":");
            for (int i = 1; i + 1 < fields.length; i++) {
                if (fields[i].equals("Arch")) {
                    String digits = fields[i + 1];
                    if (digits.length() != 5 || !digits.chars().allMatch(Character::isDigit)
                            || Integer.parseInt(digits) > 0xffff) {
                        throw new MalformedDhcpException(Malformed.BAD_OPTION, "vendor class (60) architecture '"
                                + digits + "'");
                    }
                    return Integer.parseInt(digits);
                }
            }
        }
        return BootClient.ARCH_BIOS;
    }

    /** iPXE sends its user class as bare text; RFC 3004 clients as length-prefixed items: the first is taken. */
    private static Optional<String> userClass(DhcpPacket p) throws MalformedDhcpException {
        Optional<byte[]> o77 = p.option(DhcpPacket.OPT_USER_CLASS);
        if (o77.isEmpty()) {
            return Optional.empty();
        }
        byte[] v = o77.get();
        if (v.length == 0) {
            throw new MalformedDhcpException(Malformed.BAD_OPTION, "empty user class (77)");
        }
        int first = v[0] & 0xff;
        if (first > 0 && first + 1 <= v.length && first < 0x20) {
            return Optional.of(new String(v, 1, first, StandardCharsets.US_ASCII));
        }
        return Optional.of(DhcpPacketText.printable(v));
    }

    private static Optional<byte[]> bootItem(DhcpPacket p) throws MalformedDhcpException {
        Optional<byte[]> o43 = p.option(DhcpPacket.OPT_VENDOR_SPECIFIC);
        if (o43.isEmpty()) {
            return Optional.empty();
        }
        byte[] v = o43.get();
        int i = 0;
        while (i < v.length) {
            int code = v[i] & 0xff;
            if (code == 0) {
                i++;
                continue;
            }
            if (code == 255) {
                break;
            }
            if (i + 1 >= v.length || i + 2 + (v[i + 1] & 0xff) > v.length) {
                throw new MalformedDhcpException(Malformed.BAD_OPTION, "PXE vendor sub-option " + code
                        + " past the end of option 43");
            }
            int len = v[i + 1] & 0xff;
            if (code == PXE_BOOT_ITEM && len == 4) {
                byte[] item = new byte[4];
                System.arraycopy(v, i + 2, item, 0, 4);
                return Optional.of(item);
            }
            i += 2 + len;
        }
        return Optional.empty();
    }

    /** Option 97's 16 bytes as a UUID in network byte order, the form iPXE also shows as {@code ${uuid}}. */
    static String uuidText(byte[] o97) {
        StringBuilder b = new StringBuilder(36);
        for (int i = 1; i < 17; i++) {
            if (i == 5 || i == 7 || i == 9 || i == 11) {
                b.append('-');
            }
            b.append(String.format(Locale.ROOT, "%02x", o97[i] & 0xff));
        }
        return b.toString();
    }

    /** Text helpers for options that are meant to be ASCII but may carry anything. */
    static final class DhcpPacketText {
        private DhcpPacketText() {
        }

        /** The bytes as ASCII, each non-printable byte shown as '?', so garbage never reaches logs raw. */
        static String printable(byte[] v) {
            StringBuilder b = new StringBuilder(v.length);
            for (byte x : v) {
                int c = x & 0xff;
                b.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
            }
            return b.toString();
        }
    }
}
