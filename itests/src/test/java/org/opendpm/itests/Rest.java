package org.opendpm.itests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A small REST client for the tests: JSON in and out, HTTP Basic. */
final class Rest {

    record Response(int status, String body, String wwwAuthenticate, String retryAfter) {
        JsonNode json() {
            try {
                return new ObjectMapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    /** The network namespace the server runs in, reached through curl run there; null for the host's loopback. */
    private final String namespace;

    Rest(int port) {
        this(null, port);
    }

    /**
     * A client of a server that runs inside the network namespace {@code namespace}, whose loopback the test's own
     * sockets cannot reach: every request is {@code ip netns exec namespace curl}.
     */
    Rest(String namespace, int port) {
        this.base = "http://127.0.0.1:" + port + "/opendpm/api/v1/";
        this.namespace = namespace;
    }

    /** A GET of any path of the server, not only the API's, without credentials; redirects are not followed. */
    HttpResponse<String> page(String absolutePath) {
        URI uri = URI.create(base).resolve(absolutePath);
        try {
            return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    Response get(String path, String user, String password) {
        return send("GET", path, null, user, password);
    }

    Response send(String method, String path, String json, String user, String password) {
        return send(method, path, "application/json", json, user, password);
    }

    /** A request with a body of another type (CSV, plain text); {@code body} null sends none. */
    Response send(String method, String path, String contentType, String body, String user, String password) {
        if (namespace != null) {
            return curl(method, path, contentType, body, user, password);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", contentType);
        }
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers().firstValue("WWW-Authenticate").orElse(null),
                    r.headers().firstValue("Retry-After").orElse(null));
        } catch (IOException e) {
            return new Response(-1, e.toString(), null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Response curl(String method, String path, String contentType, String body, String user, String password) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "curl", "-sS", "--max-time",
                "60", "-X", method, "-o", "-", "-w", "\n%{http_code}"));
        if (body != null) {
            cmd.addAll(List.of("-H", "Content-Type: " + contentType, "--data-binary", "@-"));
        }
        if (user != null) {
            cmd.addAll(List.of("-u", user + ":" + password)); // a test server's throwaway password
        }
        cmd.add(base + path);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            try (var in = p.getOutputStream()) {
                if (body != null) {
                    in.write(body.getBytes(StandardCharsets.UTF_8));
                }
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            int cut = out.lastIndexOf('\n');
            int status = p.waitFor() == 0 && cut >= 0 ? Integer.parseInt(out.substring(cut + 1).strip()) : -1;
            return status < 0
                    ? new Response(-1, err, null, null)
                    : new Response(status, out.substring(0, cut), null,
                            null);
        } catch (IOException e) {
            return new Response(-1, e.toString(), null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A request with a binary body (a file upload). */
    Response sendBytes(String method, String path, byte[] body, String user, String password) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/octet-stream").header("Authorization", "Basic "
                        + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), null, null);
        } catch (IOException e) {
            return new Response(-1, e.toString(), null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits until the condition holds; fails with the last response otherwise. */
    static long awaitMillis(long timeoutMillis, java.util.function.BooleanSupplier condition, String what) {
        long start = System.nanoTime();
        long deadline = start + timeoutMillis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for: " + what);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return (System.nanoTime() - start) / 1_000_000L;
    }
}
