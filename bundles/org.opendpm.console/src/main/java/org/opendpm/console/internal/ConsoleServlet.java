package org.opendpm.console.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;

/**
 * The web console's files at {@code /opendpm/console/}: OpenDPM's page, modules and style, and Lit's modules
 * (unpacked from their mvnpm artifacts into {@code lib/} at build time), served as they are. Only files of this
 * bundle's {@code web} folder are served, by names of plain segments: no dot-dot, no other part of the class path.
 * The files are public, as they are in OpenDPM's sources; everything the console shows comes from the REST API,
 * which asks for a sign-in.
 *
 * <p>The page's import map (which resolves Lit's bare module names) is an inline script; the Content-Security-Policy
 * allows exactly it by its SHA-256, and otherwise only scripts of this origin.
 */
@Component(service = Servlet.class, property = { "osgi.http.whiteboard.servlet.pattern=" + ConsoleServlet.PATTERN,
        "osgi.http.whiteboard.servlet.name=opendpm-console" })
public final class ConsoleServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final String PATH = "/opendpm/console";
    static final String PATTERN = PATH + "/*";
    private static final String FOLDER = "/org/opendpm/console/internal/web/";
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9@][A-Za-z0-9._@-]{0,127}");
    private static final int MAX_SEGMENTS = 6;
    private static final Pattern IMPORT_MAP = Pattern.compile(
            "<script type=\"importmap\">(.*?)</script>", Pattern.DOTALL);
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=UTF-8", "js",
            "text/javascript; charset=UTF-8", "css", "text/css; charset=UTF-8", "svg", "image/svg+xml", "png",
            "image/png", "txt", "text/plain; charset=UTF-8");

    private final String policy;

    public ConsoleServlet() {
        this.policy = "default-src 'self'; script-src 'self' '" + importMapHash() + "'; style-src 'self'"
                + " 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none';"
                + " form-action 'self'; base-uri 'none'";
    }

    /** The CSP source of the page's import map: {@code sha256-} and its digest in Base64. */
    static String importMapHash() {
        try (InputStream in = ConsoleServlet.class.getResourceAsStream(FOLDER + "index.html")) {
            if (in == null) {
                throw new IllegalStateException("The console's page is missing from the bundle");
            }
            Matcher m = IMPORT_MAP.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            if (!m.find()) {
                throw new IllegalStateException("The console's page has no import map");
            }
            return "sha256-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(m
                    .group(1).getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        serve(request.getPathInfo(), response);
    }

    void serve(String pathInfo, HttpServletResponse response) throws IOException {
        if (pathInfo == null) {
            // Relative module paths of the page resolve against the folder, so the folder it is.
            response.sendRedirect(PATH + "/");
            return;
        }
        String name = pathInfo.equals("/") ? "index.html" : pathInfo.substring(1);
        String type = type(name);
        if (type == null || !plain(name)) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        try (InputStream in = ConsoleServlet.class.getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                response.sendError(HttpServletResponse.SC_NOT_FOUND);
                return;
            }
            response.setContentType(type);
            response.setHeader("X-Content-Type-Options", "nosniff");
            response.setHeader("Referrer-Policy", "same-origin");
            response.setHeader("Content-Security-Policy", policy);
            // Lit's files change only with its pinned version; OpenDPM's own with OpenDPM.
            response.setHeader("Cache-Control", name.startsWith("lib/") ? "max-age=86400" : "no-cache");
            try (OutputStream out = response.getOutputStream()) {
                in.transferTo(out);
            }
        }
    }

    /** A relative name of plain segments: no empty segment, no dot-dot, not too deep. */
    static boolean plain(String name) {
        String[] segments = name.split("/", -1);
        if (segments.length > MAX_SEGMENTS) {
            return false;
        }
        for (String s : segments) {
            if (!SEGMENT.matcher(s).matches() || s.contains("..")) {
                return false;
            }
        }
        return true;
    }

    private static String type(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? null : TYPES.get(name.substring(dot + 1));
    }
}
