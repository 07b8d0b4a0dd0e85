package org.opendpm.netboot.internal.url;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server address one network boot came to: a host (name or IP literal, IPv6 in brackets) and, when the request
 * named it, a port. Only addresses a machine can use are made: never loopback or wildcard.
 */
public record BootAddress(String host, OptionalInt port) {

    /** HOST[:PORT] of an HTTP {@code Host} header: a DNS name, an IPv4 literal or a bracketed IPv6 literal. */
    private static final Pattern HOST_HEADER = Pattern.compile(
            "([A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]{2,45}\\])(?::([0-9]{1,5}))?");

    /**
     * From the {@code Host} header of an HTTP boot request: what the machine itself used to reach this server, which
     * holds through NAT. Empty for a malformed header, port 0 or above 65535, or a loopback name or literal.
     */
    public static Optional<BootAddress> fromHostHeader(String header) {
        if (header == null || header.length() > 261) {
            return Optional.empty();
        }
        Matcher m = HOST_HEADER.matcher(header.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        String host = m.group(1);
        // Without a port the request went to http's own, 80.
        OptionalInt port = OptionalInt.of(80);
        if (m.group(2) != null) {
            int p = Integer.parseInt(m.group(2));
            if (p < 1 || p > 65_535) {
                return Optional.empty();
            }
            port = OptionalInt.of(p);
        }
        if (isLoopback(host)) {
            return Optional.empty();
        }
        return Optional.of(new BootAddress(host, port));
    }

    /** The local address a request came in on, for a protocol without a Host (PXE, TFTP) or a request without one. */
    public static Optional<BootAddress> fromLocalAddress(InetAddress a) {
        if (a == null || a.isAnyLocalAddress() || a.isLoopbackAddress()) {
            return Optional.empty();
        }
        return Optional.of(new BootAddress(literal(a), OptionalInt.empty()));
    }

    /** An IP address as it goes into a URL: IPv6 in brackets without a zone. */
    public static String literal(InetAddress a) {
        return a instanceof Inet6Address ? "[" + a.getHostAddress().replaceFirst("%.*", "") + "]" : a.getHostAddress();
    }

    /** {@code http://host:port}, the port of the request when it named one, else {@code httpPort}. */
    public String httpBase(int httpPort) {
        int p = port.orElse(httpPort);
        return "http://" + host + (p == 80 ? "" : ":" + p);
    }

    private static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        if (h.startsWith("[")) {
            String v6 = h.substring(1, h.length() - 1);
            return v6.equals("::1") || v6.equals("0:0:0:0:0:0:0:1") || v6.equals("::");
        }
        return h.matches("127(\\.[0-9]{1,3}){3}") || h.equals("0.0.0.0");
    }
}
