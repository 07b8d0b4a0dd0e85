package org.opendpm.netboot.internal.pxe;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.opendpm.netboot.internal.pxe.PxeStats.Outcome;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootResponse;

/**
 * The answers of a proxyDHCP server and a PXE boot server (PXE 2.1): which requests are answered and with what.
 * No socket here, so every rule is tested with hand-built packets.
 *
 * <p>proxyDHCP (port 67): a DISCOVER from a PXE client gets an OFFER with no address ({@code yiaddr} 0.0.0.0; the
 * site's DHCP server gives the address), our server id, next server and boot file. The boot server (port 4011): a
 * REQUEST or INFORM from a PXE client gets an ACK with the same. Everything else is counted and left unanswered.
 */
public final class PxeResponder {

    /** Which of the two services received the packet. */
    public enum Service {
        PROXY_DHCP, BOOT_SERVER
    }

    /** Chooses what a client boots; called off the network threads because it may consult the database. */
    @FunctionalInterface
    public interface BootChooser {
        /** The protocol's answer, empty when no boot protocol supports the client. */
        Optional<BootResponse> choose(BootClient client);
    }

    private static final int PXE_DISCOVERY_CONTROL = 6;
    private static final int PXE_BOOT_ITEM = 71;
    /** Discovery control bit 3: the boot file in this packet is final, skip boot server discovery. */
    private static final byte USE_BOOT_FILE_IN_PACKET = 0x08;

    private final Inet4Address serverAddress;
    private final String httpBootUrl;
    private final BootChooser chooser;
    private final PxeStats stats;

    /**
     * @param serverAddress our address as clients reach it: server id (54) and next server (siaddr)
     * @param httpBootUrl base URL of the HTTP boot endpoint ending in '/', prefixed to boot files of HTTP clients
     */
    public PxeResponder(Inet4Address serverAddress, String httpBootUrl, BootChooser chooser, PxeStats stats) {
        this.serverAddress = serverAddress;
        this.httpBootUrl = httpBootUrl.endsWith("/") ? httpBootUrl : httpBootUrl + "/";
        this.chooser = chooser;
        this.stats = stats;
    }

    /** Whether the packet deserves a boot decision at all (cheap, on the network thread). */
    public boolean wanted(Service service, PxeRequest request) {
        if (!request.pxeClient()) {
            stats.outcome(Outcome.NOT_PXE);
            return false;
        }
        int t = request.messageType();
        boolean ok = service == Service.PROXY_DHCP
                ? t == DhcpPacket.DISCOVER
                : t == DhcpPacket.REQUEST || t == DhcpPacket.INFORM;
        if (!ok) {
            stats.outcome(Outcome.IGNORED_TYPE);
        }
        return ok;
    }

    /** The answer to a wanted request, or empty (counted) when no protocol boots the client. */
    public Optional<DhcpPacket> answer(Service service, PxeRequest request) {
        Optional<BootResponse> response;
        try {
            response = chooser.choose(request.client());
        } catch (RuntimeException e) {
            stats.outcome(Outcome.FAILED);
            throw e;
        }
        if (response.isEmpty()) {
            stats.outcome(Outcome.NO_BOOT_PROTOCOL);
            return Optional.empty();
        }
        stats.outcome(Outcome.ANSWERED);
        return Optional.of(build(service, request, bootFileFor(request.client(), response.get().bootFile())));
    }

    /** HTTP clients (iPXE, UEFI HTTP boot) get a URL; the others a TFTP path. */
    String bootFileFor(BootClient client, String bootFile) {
        if (bootFile.startsWith("http://") || bootFile.startsWith("https://")) {
            return bootFile;
        }
        if (client.isIpxe() || client.architecture() == BootClient.ARCH_EFI_X86_64_HTTP) {
            return httpBootUrl + (bootFile.startsWith("/") ? bootFile.substring(1) : bootFile);
        }
        return bootFile;
    }

    private DhcpPacket build(Service service, PxeRequest request, String bootFile) {
        DhcpPacket in = request.packet();
        boolean http = request.vendorClass().filter(v -> v.startsWith("HTTPClient")).isPresent();
        Map<Integer, byte[]> options = new LinkedHashMap<>();
        options.put(DhcpPacket.OPT_MESSAGE_TYPE,
                new byte[]{ (byte) (service == Service.PROXY_DHCP ? DhcpPacket.OFFER : DhcpPacket.ACK) });
        options.put(DhcpPacket.OPT_SERVER_ID, serverAddress.getAddress());
        // UEFI HTTP boot only takes offers that name HTTPClient (UEFI 2.5, 24.7.2).
        options.put(DhcpPacket.OPT_VENDOR_CLASS,
                (http ? "HTTPClient" : "PXEClient").getBytes(StandardCharsets.US_ASCII));
        request.uuidBytes().ifPresent(u -> options.put(DhcpPacket.OPT_CLIENT_UUID, u));
        if (!http) {
            options.put(DhcpPacket.OPT_VENDOR_SPECIFIC, pxeVendorOptions(request));
        }
        return new DhcpPacket(DhcpPacket.BOOTREPLY, in.htype(), in.hlen(), 0, in.xid(), 0, in.flags(), in.ciaddr(),
                new byte[4], serverAddress.getAddress(), in.giaddr(), in.chaddr(), "", bootFile, options);
    }

    /**
     * PXE option 43: discovery control "boot file is in this packet", and on the boot server the client's boot item
     * echoed (PXE 2.1, 2.2.5), without which BIOS PXE ROMs ignore the ACK.
     */
    private static byte[] pxeVendorOptions(PxeRequest request) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(PXE_DISCOVERY_CONTROL);
        b.write(1);
        b.write(USE_BOOT_FILE_IN_PACKET);
        request.bootItem().ifPresent(item -> {
            b.write(PXE_BOOT_ITEM);
            b.write(4);
            b.write(item, 0, 4);
        });
        b.write(255);
        return b.toByteArray();
    }
}
