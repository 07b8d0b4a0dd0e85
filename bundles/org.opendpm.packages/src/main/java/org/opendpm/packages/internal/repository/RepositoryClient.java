package org.opendpm.packages.internal.repository;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import org.opendpm.api.packages.PackageFile;

/**
 * Reads one repository over HTTP(S): its index and signature into memory, bounded before they are read, and files
 * to temporary files, bounded by the size the index states and hashed on the way. A missing signature is its own
 * error: an unsigned index is refused, never trusted.
 */
public final class RepositoryClient {

    static final String INDEX = "index.json";
    static final String SIGNATURE = "index.json.sig";
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final HttpClient http;
    private final URI base;

    public RepositoryClient(HttpClient http, URI base) {
        this.http = http;
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
    }

    /** A verified index: the signature is checked against the trusted keys before the bytes are parsed. */
    public RepositoryIndex index(List<TrustedKeys.Key> keys) throws IOException, InterruptedException {
        byte[] index = bytes(INDEX, RepositoryIndex.MAX_BYTES, "index");
        byte[] signature;
        try {
            signature = bytes(SIGNATURE, TrustedKeys.SIGNATURE_BYTES + 1, "signature");
        } catch (NotFound e) {
            throw RepositoryIndex.bad("it is unsigned: " + e.getMessage());
        }
        TrustedKeys.verify(keys, index, signature);
        return RepositoryIndex.parse(index);
    }

    /**
     * Fetches {@code files/<sha256>} into {@code target}, refusing more bytes than the index states, fewer, or a
     * different SHA-256; the caller deletes {@code target} in any case.
     */
    public void file(PackageFile f, Path target) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = send("files/" + f.sha256());
        MessageDigest sha = sha256();
        long n = 0;
        try (InputStream in = r.body();
                OutputStream out = new DigestOutputStream(Files.newOutputStream(target), sha)) {
            byte[] buf = new byte[65536];
            for (int k; (k = in.read(buf)) > 0;) {
                n += k;
                if (n > f.size()) {
                    throw new IOException("file " + f.name() + " is larger than the " + f.size()
                            + " bytes the index states");
                }
                out.write(buf, 0, k);
            }
        }
        if (n != f.size()) {
            throw new IOException("file " + f.name() + " is " + n + " bytes, not the " + f.size()
                    + " the index states");
        }
        String got = HexFormat.of().formatHex(sha.digest());
        if (!got.equals(f.sha256())) {
            throw new IOException("file " + f.name() + " has SHA-256 " + got + ", not the " + f.sha256()
                    + " the index states: it was changed");
        }
    }

    private byte[] bytes(String name, int max, String what) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = send(name);
        try (InputStream in = r.body()) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new IOException("the " + what + " " + base.resolve(name) + " is larger than " + max + " bytes");
            }
            return b;
        }
    }

    private HttpResponse<InputStream> send(String name) throws IOException, InterruptedException {
        URI uri = base.resolve(name);
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            r.body().close();
            if (r.statusCode() == 404) {
                throw new NotFound(uri + " does not exist (404)");
            }
            throw new IOException(uri + " answered HTTP " + r.statusCode());
        }
        return r;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** A 404, told apart so a missing signature reads as "unsigned". */
    static final class NotFound extends IOException {
        private static final long serialVersionUID = 1L;

        NotFound(String message) {
            super(message);
        }
    }
}
