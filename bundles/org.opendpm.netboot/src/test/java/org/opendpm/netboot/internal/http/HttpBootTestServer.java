package org.opendpm.netboot.internal.http;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * {@link HttpBoot} behind the JDK's HTTP server, the way the servlet puts it behind Karaf's: tests get a real HTTP
 * endpoint (for curl and for iPXE in QEMU) without a servlet container. Records every request and its status.
 */
public final class HttpBootTestServer implements AutoCloseable {

    public static final String PREFIX = "/opendpm/boot";

    /** A request the server answered. */
    public record Served(String method, String path, String query, int status) {
    }

    private final HttpServer server;
    private final List<Served> served = new CopyOnWriteArrayList<>();

    public HttpBootTestServer(HttpBoot http, String bindAddress) throws IOException {
        server = HttpServer.create(new InetSocketAddress(bindAddress, 0), 16);
        server.createContext(PREFIX + "/", exchange -> handle(http, exchange));
        server.start();
    }

    private void handle(HttpBoot http, HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath().substring(PREFIX.length());
            HttpBoot.Reply reply = http.handle(new HttpBoot.Request(ex.getRequestMethod(), path,
                    ex.getRequestURI().getRawQuery(), Optional.ofNullable(ex.getRequestHeaders().getFirst("Range")),
                    Optional.of(ex.getLocalAddress().getAddress()),
                    Optional.ofNullable(ex.getRequestHeaders().getFirst("Host"))));
            for (Map.Entry<String, String> h : reply.headers().entrySet()) {
                ex.getResponseHeaders().set(h.getKey(), h.getValue());
            }
            served.add(new Served(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(), reply.status()));
            if (!reply.hasBody()) {
                ex.getResponseHeaders().set("Content-Length", Long.toString(reply.contentLength()));
                ex.sendResponseHeaders(reply.status(), -1);
                return;
            }
            ex.sendResponseHeaders(reply.status(), reply.contentLength() == 0 ? -1 : reply.contentLength());
            try (OutputStream out = ex.getResponseBody()) {
                reply.writeBody(out);
            }
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public List<Served> served() {
        return served;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
