package org.opendpm.rest.internal.docs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Component;

/**
 * The REST API's documentation in the browser: Swagger UI (from its WebJar, unpacked into this bundle at build time)
 * over the OpenAPI document. Only the files of this bundle's {@code docs} folder and the document are served, by
 * plain name: no sub-folders, no dot-dot, nothing else of the class path. The page and the document are public, as
 * they are in OpenDPM's sources (a browser would otherwise have to sign in before it could show anything); every
 * call made from the page needs the API's credentials, given through the page's Authorize button.
 */
@Component(service = Servlet.class, property = { "osgi.http.whiteboard.servlet.pattern=" + ApiDocsServlet.PATTERN,
        "osgi.http.whiteboard.servlet.name=opendpm-api-docs" })
public final class ApiDocsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    static final String PATH = "/opendpm/api/docs";
    static final String PATTERN = PATH + "/*";
    private static final String FOLDER = "/org/opendpm/rest/internal/docs/";
    /** The OpenAPI document generated at build time, the one {@code /opendpm/api/v1/openapi.json} answers. */
    private static final String DOCUMENT = "openapi.json";
    /** OpenDPM's page, initializer and document; the rest comes from the WebJar. */
    private static final Set<String> OWN = Set.of("index.html", "swagger-initializer.js", DOCUMENT);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Map<String, String> TYPES = Map.of("json", "application/json", "html",
            "text/html; charset=UTF-8", "js",
            "text/javascript; charset=UTF-8", "css", "text/css; charset=UTF-8", "png", "image/png", "txt",
            "text/plain; charset=UTF-8");

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        serve(request.getPathInfo(), response);
    }

    void serve(String pathInfo, HttpServletResponse response) throws IOException {
        if (pathInfo == null) {
            // Relative links of the page resolve against the folder, so the folder it is.
            response.sendRedirect(PATH + "/");
            return;
        }
        String name = pathInfo.equals("/") ? "index.html" : pathInfo.substring(1);
        String type = type(name);
        if (!NAME.matcher(name).matches() || name.contains("..") || type == null) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        String resource = name.equals(DOCUMENT)
                ? "/org/opendpm/rest/internal/" + DOCUMENT
                : FOLDER + (OWN.contains(name) ? name : "swagger-ui/" + name);
        try (InputStream in = ApiDocsServlet.class.getResourceAsStream(resource)) {
            if (in == null) {
                response.sendError(HttpServletResponse.SC_NOT_FOUND);
                return;
            }
            response.setContentType(type);
            response.setHeader("X-Content-Type-Options", "nosniff");
            response.setHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' data:;"
                    + " style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
            // The page and initializer change with OpenDPM; the WebJar's files with its pinned version.
            response.setHeader("Cache-Control", OWN.contains(name) ? "no-cache" : "max-age=86400");
            try (OutputStream out = response.getOutputStream()) {
                in.transferTo(out);
            }
        }
    }

    private static String type(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? null : TYPES.get(name.substring(dot + 1));
    }
}
