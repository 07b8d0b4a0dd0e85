package org.opendpm.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletResponse;

import org.junit.Test;

/**
 * The console's files: OpenDPM's page and modules and Lit's, by relative names of plain segments only, with a
 * Content-Security-Policy that allows this origin's scripts and the page's import map by its hash.
 */
public class ConsoleServletTest {

    private static final class Answer {
        int status = 200;
        String redirect;
        final Map<String, String> headers = new HashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        String text() {
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    private static Answer get(String pathInfo) throws IOException {
        Answer a = new Answer();
        ServletOutputStream out = new ServletOutputStream() {
            @Override
            public void write(int b) {
                a.body.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                a.body.write(b, off, len);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
                throw new AssertionError("not used: setWriteListener");
            }
        };
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(
                ConsoleServletTest.class.getClassLoader(), new Class<?>[]{ HttpServletResponse.class },
                (p, m, args) -> switch (m.getName()) {
                case "sendRedirect" -> {
                    a.status = 302;
                    a.redirect = (String) args[0];
                    yield null;
                }
                case "sendError" -> {
                    a.status = (int) args[0];
                    yield null;
                }
                case "setContentType" -> {
                    a.headers.put("Content-Type", (String) args[0]);
                    yield null;
                }
                case "setHeader" -> {
                    a.headers.put((String) args[0], (String) args[1]);
                    yield null;
                }
                case "getOutputStream" -> out;
                default -> throw new AssertionError("not used: " + m);
                });
        new ConsoleServlet().serve(pathInfo, response);
        return a;
    }

    @Test
    public void thePageIsServedWithAPolicyThatAllowsExactlyItsImportMap() throws Exception {
        Answer a = get("/");
        assertThat(a.status).isEqualTo(200);
        assertThat(a.headers.get("Content-Type")).startsWith("text/html");
        Matcher m = Pattern.compile("<script type=\"importmap\">(.*?)</script>", Pattern.DOTALL).matcher(a.text());
        assertThat(m.find()).isTrue();
        String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(m.group(1)
                .getBytes(StandardCharsets.UTF_8)));
        assertThat(a.headers.get("Content-Security-Policy")).contains("script-src 'self' 'sha256-" + hash + "'")
                .contains("frame-ancestors 'none'").doesNotContain("unsafe-eval");
        assertThat(a.headers.get("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(get(null).redirect).isEqualTo("/opendpm/console/");
    }

    @Test
    public void everyModuleTheImportMapNamesIsInTheBundle() throws IOException {
        for (String module : new String[]{ "/lib/lit/index.js", "/lib/lit-html/lit-html.js",
                "/lib/lit-html/is-server.js", "/lib/lit-element/lit-element.js",
                "/lib/reactive-element/reactive-element.js", "/app.js", "/api.js", "/operations.js", "/monitor.js",
                "/console.css" }) {
            Answer a = get(module);
            assertThat(a.status).as(module).isEqualTo(200);
            assertThat(a.body.size()).as(module).isGreaterThan(0);
        }
        assertThat(get("/lib/lit/index.js").headers.get("Content-Type")).startsWith("text/javascript");
        assertThat(get("/lib/lit/index.js").headers.get("Cache-Control")).isEqualTo("max-age=86400");
        assertThat(get("/app.js").headers.get("Cache-Control")).isEqualTo("no-cache");
        assertThat(get("/lib/lit/development/index.js").status).as("development builds are left out").isEqualTo(404);
    }

    @Test
    public void namesOutsideTheConsolesFolderAreNotServed() throws IOException {
        for (String bad : new String[]{ "/../ConsoleServlet.class", "/lib/../../internal/ConsoleServlet.class",
                "/lib//lit/index.js", "/.hidden.js", "/ConsoleServlet.class", "/app", "/a/b/c/d/e/f/g.js",
                "/%2e%2e/x.js", "/lib/lit/index.js/", "/" + "a".repeat(200) + ".js" }) {
            assertThat(get(bad).status).as(bad).isEqualTo(404);
        }
    }
}
