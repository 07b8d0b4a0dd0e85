package org.opendpm.plugin.scenario.oslinux.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.opendpm.api.OpenDpmException;
import org.opendpm.api.os.OperatingSystem;
import org.opendpm.api.os.OperatingSystemService;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.plugin.scenario.oslinux.internal.built.JdbcOsInstallations;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What installers fetch and call at {@code /opendpm/os/*}, unauthenticated as boot firmware and installers are:
 * <ul>
 * <li>{@code GET or POST built/<token>}: the installer's last step ({@link JdbcOsInstallations#built}); 200 once,
 * then 404 like any unknown token, logged without the token;</li>
 * <li>{@code GET/HEAD <os name>/<path>}: the operating system's installation source (OSI-3), read-only from
 * {@code <Folder for Image>/exports/<source>} (a tree, or an ISO file served under its own name); nothing outside it
 * is readable, symbolic links included, and no folder is listed.</li>
 * </ul>
 */
@Component(service = Servlet.class, property = { "osgi.http.whiteboard.servlet.pattern=/opendpm/os/*",
        "osgi.http.whiteboard.servlet.name=opendpm-os" })
public final class OsHttpServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    /** Where installation sources are, below the server's HTTP root. */
    public static final String SOURCE_PATH = "/opendpm/os/";
    private static final Logger LOG = LoggerFactory.getLogger(OsHttpServlet.class);
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~+()-]{1,255}");
    private static final int MAX_DEPTH = 32;

    private final transient JdbcOsInstallations installations;
    private final transient OperatingSystemService systems;
    private final transient ServerSettingsService settings;

    @Activate
    public OsHttpServlet(@Reference JdbcOsInstallations installations, @Reference OperatingSystemService systems,
            @Reference ServerSettingsService settings) {
        this.installations = installations;
        this.systems = systems;
        this.settings = settings;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        String[] parts = path.startsWith("/") ? path.substring(1).split("/", -1) : path.split("/", -1);
        try {
            if (parts.length == 2 && parts[0].equals("built")) {
                if (!req.getMethod().equals("GET") && !req.getMethod().equals("POST")) {
                    text(resp, 405, "GET or POST\n");
                } else if (installations.built(parts[1])) {
                    text(resp, 200, "built\n");
                } else {
                    text(resp, 404, "not found\n");
                }
                return;
            }
            boolean head = req.getMethod().equals("HEAD");
            if (!head && !req.getMethod().equals("GET")) {
                text(resp, 405, "read-only\n");
                return;
            }
            source(parts, resp, head);
        } catch (OpenDpmException e) {
            LOG.warn("OS installation HTTP: {}", e.getMessage());
            text(resp, 503, "unavailable\n");
        }
    }

    private void source(String[] parts, HttpServletResponse resp, boolean head) throws IOException {
        if (parts.length < 2 || parts.length > MAX_DEPTH) {
            text(resp, 404, "not found\n");
            return;
        }
        for (String p : parts) {
            if (!SEGMENT.matcher(p).matches() || p.equals("..") || p.equals(".")) {
                LOG.info("OS installation HTTP: a request for a path with a refused name");
                text(resp, 404, "not found\n");
                return;
            }
        }
        Optional<OperatingSystem> os = systems.find(parts[0]);
        if (os.isEmpty()) {
            LOG.info("OS installation HTTP: no operating system named {}", parts[0]);
            text(resp, 404, "not found\n");
            return;
        }
        Path exports = Path.of(settings.get().imageFolder()).resolve("exports");
        Optional<Path> file = sourceFile(exports, os.get().source(), parts);
        if (file.isEmpty()) {
            LOG.info("OS installation HTTP: {} has no file {}", os.get().name(), String.join("/", parts));
            text(resp, 404, "not found\n");
            return;
        }
        long size = Files.size(file.get());
        resp.setStatus(200);
        resp.setContentType("application/octet-stream");
        resp.setContentLengthLong(size);
        if (!head) {
            try (InputStream in = Files.newInputStream(file.get()); OutputStream out = resp.getOutputStream()) {
                in.transferTo(out);
            }
        }
    }

    /**
     * The file {@code parts[1..]} names in an operating system's source below {@code exports}: a file of a tree, or
     * the ISO itself under its own name. Empty for anything else, a path whose real location (symbolic links
     * resolved) leaves the source or {@code exports}, and a folder. {@code parts} were checked segment by segment.
     */
    static Optional<Path> sourceFile(Path exports, String source, String[] parts) throws IOException {
        try {
            Path realExports = exports.toRealPath();
            Path root = realExports.resolve(source).toRealPath();
            if (!root.startsWith(realExports)) {
                return Optional.empty();
            }
            if (Files.isRegularFile(root)) {
                return parts.length == 2 && parts[1].equals(root.getFileName().toString())
                        ? Optional.of(root)
                        : Optional.empty();
            }
            Path wanted = root;
            for (int i = 1; i < parts.length; i++) {
                wanted = wanted.resolve(parts[i]);
            }
            Path real = wanted.toRealPath();
            return real.startsWith(root) && Files.isRegularFile(real) ? Optional.of(real) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private static void text(HttpServletResponse resp, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("text/plain; charset=utf-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(b.length);
        try (OutputStream out = resp.getOutputStream()) {
            out.write(b);
        }
    }
}
