package org.opendpm.agent;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * Finds a server without {@code --server} (OSI-6): sends {@code OPENDPM-DISCOVER 1} every interval until the first
 * well-formed {@code OPENDPM-SERVER 1 <host> <port> <fingerprint>} answer arrives; the first answer wins.
 */
final class Discovery {

    private static final Logger LOG = Logger.getLogger(Discovery.class.getName());
    static final String REQUEST = "OPENDPM-DISCOVER 1";

    record Found(String host, int port, String fingerprint) {
    }

    private Discovery() {
    }

    /** Blocks until a server answers; null when {@code keepGoing} turns false first. */
    static Found discover(String address, int port, Duration interval, BooleanSupplier keepGoing)
            throws IOException {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(address), port);
        byte[] request = REQUEST.getBytes(StandardCharsets.US_ASCII);
        long intervalMillis = Math.max(50, interval.toMillis());
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setBroadcast(true);
            byte[] buf = new byte[512];
            int sent = 0;
            while (keepGoing.getAsBoolean()) {
                socket.send(new DatagramPacket(request, request.length, target));
                if (sent++ == 0) {
                    LOG.info("Looking for an OpenDPM server: " + REQUEST + " to " + address + ":" + port);
                } else if (sent % 15 == 0) {
                    LOG.info("Still no answer to " + REQUEST + " sent to " + address + ":" + port + " (" + sent
                            + " tries); a server's discovery port (UDP " + port + ") must be reachable");
                }
                long until = System.nanoTime() + intervalMillis * 1_000_000L;
                long left;
                while ((left = (until - System.nanoTime()) / 1_000_000L) > 0 && keepGoing.getAsBoolean()) {
                    socket.setSoTimeout((int) Math.max(1, left));
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        socket.receive(p);
                    } catch (SocketTimeoutException e) {
                        break;
                    }
                    String text = new String(p.getData(), p.getOffset(), p.getLength(), StandardCharsets.US_ASCII);
                    Found f = parse(text, p.getAddress());
                    if (f != null) {
                        LOG.info("Server found by discovery: " + f.host() + ":" + f.port() + ", fingerprint "
                                + f.fingerprint() + " (answered from " + p.getAddress().getHostAddress() + ")");
                        return f;
                    }
                    LOG.fine("Ignored discovery answer from " + p.getAddress().getHostAddress() + ": " + text);
                }
            }
        }
        return null;
    }

    /**
     * Parses an answer; null when it is not one. A wildcard host (a server bound to all addresses) means the
     * address the answer came from.
     */
    static Found parse(String text, InetAddress sender) {
        String[] f = text.trim().split("\\s+");
        if (f.length != 5 || !f[0].equals("OPENDPM-SERVER") || !f[1].equals("1")) {
            return null;
        }
        int port;
        try {
            port = Integer.parseInt(f[3]);
        } catch (NumberFormatException e) {
            return null;
        }
        if (port < 1 || port > 65535) {
            return null;
        }
        String fp = f[4].toLowerCase(Locale.ROOT);
        if (!fp.matches("[0-9a-f]{64}")) {
            return null;
        }
        String host = f[2];
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("*")) {
            host = sender.getHostAddress();
        }
        return new Found(host, port, fp);
    }
}
