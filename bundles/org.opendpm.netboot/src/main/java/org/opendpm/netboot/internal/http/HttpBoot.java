package org.opendpm.netboot.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.opendpm.api.StoreUnavailableException;
import org.opendpm.netboot.internal.BootService;
import org.opendpm.netboot.internal.tftp.FileJail;
import org.opendpm.netboot.internal.tftp.FileJail.JailException;
import org.opendpm.spi.BootClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP boot for iPXE and UEFI HTTP clients, independent of the servlet container: read-only, unauthenticated (boot
 * firmware cannot log in) and jailed to the boot root exactly like TFTP ({@link FileJail}).
 *
 * <ul>
 * <li>{@code GET chain.ipxe}: a fixed iPXE script for DHCP servers that hand every client the same boot file; it
 * chains to the next URL with the client's MAC, UUID and firmware.</li>
 * <li>{@code GET ipxe?mac=&uuid=&arch=${buildarch}&platform=${platform}}: reports the machine as seen (New Machine)
 * and answers the iPXE script of its boot intent.</li>
 * <li>{@code GET/HEAD published/<token>/<name>}: a file published for an execution ({@link PublishedLookup}), logged
 * by name and size; an unknown or expired token, or another name, is 404 without saying which. Tokens are never
 * logged.</li>
 * <li>{@code GET/HEAD <path>}: a generated file, else a file below the boot root, with single-range requests.</li>
 * </ul>
 * A missing file is answered 404 and logged, and harms nothing (OSI-4).
 */
public final class HttpBoot {

    private static final Logger LOG = LoggerFactory.getLogger(HttpBoot.class);

    /**
     * The MAC goes as {@code hexhyp} (dashes): with colons, iPXE takes the relative URI up to the MAC's first colon
     * for a scheme and refuses the download ("Operation not supported"), seen with Debian's ipxe-qemu ROM.
     */
    static final String CHAIN_SCRIPT = "#!ipxe\n"
            + "chain ./ipxe?mac=${net0/mac:hexhyp}&uuid=${uuid}&arch=${buildarch}&platform=${platform}\n";
    private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}");
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final int COPY_BUFFER = 64 * 1024;
    private static final String TEXT = "text/plain; charset=utf-8";

    /**
     * A request as the adapters see it; {@code path} is below the endpoint and already percent-decoded;
     * {@code localAddress} is the server address it came in on; {@code host} its {@code Host} header.
     */
    public record Request(String method, String path, String rawQuery, Optional<String> range,
            Optional<InetAddress> localAddress, Optional<String> host) {
    }

    private static final String PUBLISHED = "published";
    /** What could be a published file's token (base64url of 256 bits), kept out of log lines. */
    private static final Pattern TOKEN_LIKE = Pattern.compile("[A-Za-z0-9_-]{43,}");

    /** What to send: status, headers and either bytes or a region of a file. */
    public static final class Reply {
        private final int status;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final byte[] body;
        private final Path file;
        private final long offset;
        private final long length;
        private final boolean head;

        private Reply(int status, String contentType, byte[] body, Path file, long offset, long length,
                boolean head) {
            this.status = status;
            this.body = body;
            this.file = file;
            this.offset = offset;
            this.length = length;
            this.head = head;
            headers.put("Content-Type", contentType);
            headers.put("Accept-Ranges", "bytes");
            headers.put("Cache-Control", "no-store");
        }

        static Reply text(int status, String text, boolean head) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            return new Reply(status, "text/plain; charset=utf-8", b, null, 0, b.length, head);
        }

        public int status() {
            return status;
        }

        public Map<String, String> headers() {
            return headers;
        }

        /** Bytes of the body (also for HEAD, which sends none of them). */
        public long contentLength() {
            return length;
        }

        /** Whether the body is to be sent (not for HEAD). */
        public boolean hasBody() {
            return !head;
        }

        public void writeBody(OutputStream out) throws IOException {
            if (head) {
                return;
            }
            if (body != null) {
                out.write(body, (int) offset, (int) length);
                return;
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                    InputStream in = Channels.newInputStream(ch.position(offset))) {
                byte[] buf = new byte[COPY_BUFFER];
                long left = length;
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new IOException(file + " shrank while being sent");
                    }
                    out.write(buf, 0, n);
                    left -= n;
                }
            }
        }
    }

    private final BootService boot;
    private final FileJail jail;
    private final PublishedLookup published;

    public HttpBoot(BootService boot, FileJail jail, PublishedLookup published) {
        this.boot = boot;
        this.jail = jail;
        this.published = published;
    }

    public Reply handle(Request r) {
        boot.countHttpBootRequest();
        boolean head = "HEAD".equals(r.method());
        if (!head && !"GET".equals(r.method())) {
            Reply reply = Reply.text(405, "read-only\n", false);
            reply.headers.put("Allow", "GET, HEAD");
            return reply;
        }
        String path;
        try {
            // The path below the endpoint starts with its own '/'; a second one would still be refused as absolute.
            path = FileJail.normalize(r.path().startsWith("/") ? r.path().substring(1) : r.path());
        } catch (JailException e) {
            LOG.info("HTTP boot: '{}' refused: {}", printable(r.path()), e.getMessage());
            return Reply.text(e.getMessage().equals("no file name") || e.getMessage().equals("empty file name")
                    ? 404
                    : 403, "refused\n", head);
        }
        if (path.equals(PUBLISHED) || path.startsWith(PUBLISHED + "/")) {
            return published(path.substring(PUBLISHED.length()), r, head);
        }
        if (path.equals("chain.ipxe")) {
            return content(CHAIN_SCRIPT.getBytes(StandardCharsets.UTF_8), TEXT, r, head);
        }
        if (path.equals("ipxe")) {
            return ipxe(r, head);
        }
        Optional<byte[]> generated = boot.generated(path);
        if (generated.isPresent()) {
            return content(generated.get(), TEXT, r, head);
        }
        return file(path, r, head);
    }

    private Reply ipxe(Request r, boolean head) {
        Map<String, String> q = query(r.rawQuery());
        String mac = q.getOrDefault("mac", "");
        if (!MAC.matcher(mac).matches()) {
            LOG.info("HTTP boot: iPXE request with a bad MAC '{}'", printable(mac));
            return Reply.text(400, "bad mac\n", head);
        }
        mac = mac.toLowerCase(Locale.ROOT).replace('-', ':');
        String uuid = q.getOrDefault("uuid", "");
        if (!uuid.isEmpty() && !UUID.matcher(uuid).matches()) {
            LOG.info("HTTP boot: iPXE request from {} with a bad UUID '{}'", mac, printable(uuid));
            return Reply.text(400, "bad uuid\n", head);
        }
        Optional<Integer> arch = architecture(q.getOrDefault("platform", ""), q.getOrDefault("arch", ""));
        if (arch.isEmpty()) {
            LOG.info("HTTP boot: iPXE request from {} with unknown platform '{}' / arch '{}'", mac,
                    printable(q.getOrDefault("platform", "")), printable(q.getOrDefault("arch", "")));
            return Reply.text(400, "unknown platform or arch\n", head);
        }
        BootClient client = new BootClient(mac,
                uuid.isEmpty() ? Optional.empty() : Optional.of(uuid.toLowerCase(Locale.ROOT)), arch.get(),
                Optional.of("iPXE"));
        Optional<BootService.Decision> d;
        try {
            d = boot.boot(client, r.localAddress(), r.host());
        } catch (RuntimeException e) {
            // A failing boot protocol plugin costs this one answer, never the endpoint.
            LOG.warn("HTTP boot: boot decision for {} failed: {}", mac, e.toString(), e);
            return Reply.text(500, "boot decision failed\n", head);
        }
        if (d.isEmpty()) {
            LOG.info("HTTP boot: no boot protocol for iPXE client {} (architecture {})", mac, arch.get());
            return Reply.text(404, "no boot protocol\n", head);
        }
        String bootFile = d.get().response().bootFile();
        Optional<byte[]> script = boot.generated(bootFile);
        if (script.isEmpty()) {
            // The protocol names a file rather than generating a script: hand iPXE a chain to it.
            script = Optional.of(("#!ipxe\nchain " + bootFile + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return content(script.get(), TEXT, r, head);
    }

    /** {@code /<token>/<name>}; whatever else is below {@code published} is unknown alike. */
    private Reply published(String rest, Request r, boolean head) {
        String tokenAndName = rest.startsWith("/") ? rest.substring(1) : rest;
        int slash = tokenAndName.indexOf('/');
        Optional<PublishedLookup.Found> found = Optional.empty();
        if (slash > 0) {
            try {
                found = published.find(tokenAndName.substring(0, slash), tokenAndName.substring(slash + 1));
            } catch (StoreUnavailableException e) {
                LOG.warn("HTTP boot: published files unavailable: {}", e.getMessage());
                return Reply.text(503, "unavailable\n", head);
            }
        }
        if (found.isEmpty()) {
            LOG.info("HTTP boot: a published file asked for with an unknown or expired token");
            return Reply.text(404, "not found\n", head);
        }
        // The request log of answer files: which file went out, never its token.
        LOG.info("HTTP boot: served published file {} ({} bytes)", printable(tokenAndName.substring(slash + 1)),
                found.get().content().length);
        return content(found.get().content(), found.get().mediaType(), r, head);
    }

    /** iPXE's {@code ${platform}} and {@code ${buildarch}} as a DHCP option 93 architecture (RFC 4578). */
    static Optional<Integer> architecture(String platform, String buildarch) {
        if (platform.equals("pcbios")) {
            return Optional.of(BootClient.ARCH_BIOS);
        }
        if (platform.equals("efi")) {
            switch (buildarch) {
            case "x86_64":
                return Optional.of(BootClient.ARCH_EFI_X86_64);
            case "i386":
                return Optional.of(BootClient.ARCH_EFI_IA32);
            case "arm32":
                return Optional.of(10);
            case "arm64":
                return Optional.of(11);
            default:
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private Reply file(String path, Request r, boolean head) {
        Path real;
        long size;
        try {
            real = jail.resolveForRead(path);
            size = Files.size(real);
        } catch (NoSuchFileException e) {
            LOG.info("HTTP boot: '{}' not found (harmless: clients probe for optional files)", printable(path));
            return Reply.text(404, "not found\n", head);
        } catch (JailException e) {
            LOG.info("HTTP boot: '{}' refused: {}", printable(path), e.getMessage());
            return Reply.text(403, "refused\n", head);
        } catch (IOException e) {
            LOG.warn("HTTP boot: '{}' unreadable: {}", printable(path), e.toString());
            return Reply.text(500, "unreadable\n", head);
        }
        Optional<ByteRange> range;
        try {
            range = ByteRange.parse(r.range().orElse(null), size);
        } catch (ByteRange.Unsatisfiable e) {
            return unsatisfiable(size, head);
        }
        String type = "application/octet-stream";
        if (range.isEmpty()) {
            return new Reply(200, type, null, real, 0, size, head);
        }
        Reply reply = new Reply(206, type, null, real, range.get().first(), range.get().length(), head);
        reply.headers.put("Content-Range", contentRange(range.get(), size));
        return reply;
    }

    private static Reply content(byte[] data, String type, Request r, boolean head) {
        Optional<ByteRange> range;
        try {
            range = ByteRange.parse(r.range().orElse(null), data.length);
        } catch (ByteRange.Unsatisfiable e) {
            return unsatisfiable(data.length, head);
        }
        if (range.isEmpty()) {
            return new Reply(200, type, data, null, 0, data.length, head);
        }
        Reply reply = new Reply(206, type, data, null, range.get().first(), range.get().length(), head);
        reply.headers.put("Content-Range", contentRange(range.get(), data.length));
        return reply;
    }

    private static Reply unsatisfiable(long size, boolean head) {
        Reply reply = Reply.text(416, "range not satisfiable\n", head);
        reply.headers.put("Content-Range", "bytes */" + size);
        return reply;
    }

    private static String contentRange(ByteRange r, long size) {
        return "bytes " + r.first() + "-" + r.last() + "/" + size;
    }

    static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                q.putIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8),
                        URLDecoder.decode(v, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // A broken percent escape: the parameter is left out, and its check then refuses the request.
            }
        }
        return q;
    }

    /** For a log line: at most 80 printable characters, with anything shaped like a token left out. */
    private static String printable(String s) {
        String redacted = TOKEN_LIKE.matcher(s).replaceAll("<token>");
        StringBuilder b = new StringBuilder(Math.min(redacted.length(), 80));
        for (int i = 0; i < redacted.length() && i < 80; i++) {
            char c = redacted.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
