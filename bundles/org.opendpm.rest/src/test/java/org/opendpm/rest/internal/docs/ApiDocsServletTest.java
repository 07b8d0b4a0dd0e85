package org.opendpm.rest.internal.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletResponse;

import org.junit.Test;

/** The API documentation page: Swagger UI over OpenDPM's document, served by plain file name only. */
public class ApiDocsServletTest {

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
                ApiDocsServletTest.class.getClassLoader(), new Class<?>[]{ HttpServletResponse.class },
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
        new ApiDocsServlet().serve(pathInfo, response);
        return a;
    }

    @Test
    public void theFolderWithoutItsSlashRedirectsToIt() throws IOException {
        Answer a = get(null);
        assertThat(a.status).isEqualTo(302);
        assertThat(a.redirect).isEqualTo("/opendpm/api/docs/");
    }

    @Test
    public void thePageLoadsSwaggerUiOverOpenDpmsDocumentOnly() throws IOException {
        Answer page = get("/");
        assertThat(page.status).isEqualTo(200);
        assertThat(page.headers).containsEntry("Content-Type", "text/html; charset=UTF-8")
                .containsEntry("X-Content-Type-Options", "nosniff").containsEntry("Cache-Control", "no-cache");
        assertThat(page.text()).contains("<title>OpenDPM REST API</title>", "./swagger-ui-bundle.js",
                "./swagger-initializer.js");
        Answer init = get("/swagger-initializer.js");
        assertThat(init.text()).contains("url: \"./openapi.json\"").doesNotContain("petstore");
        Answer document = get("/openapi.json");
        assertThat(document.headers).containsEntry("Content-Type", "application/json");
        assertThat(document.text()).contains("\"title\" : \"OpenDPM REST API\"", "/machines");
        assertThat(init.headers).containsEntry("Content-Type", "text/javascript; charset=UTF-8");
    }

    @Test
    public void theWebJarsFilesThePageUsesAreServed() throws IOException {
        Answer js = get("/swagger-ui-bundle.js");
        assertThat(js.status).isEqualTo(200);
        assertThat(js.body.size()).isGreaterThan(1_000_000);
        assertThat(js.headers).containsEntry("Cache-Control", "max-age=86400");
        assertThat(get("/swagger-ui.css").text()).contains(".swagger-ui");
        assertThat(get("/favicon-32x32.png").headers).containsEntry("Content-Type", "image/png");
    }

    @Test
    public void anythingElseIs404() throws IOException {
        for (String path : new String[]{ "/../ApiDocsServlet.class", "/swagger-ui/index.html", "/a/b.js",
                "/ApiDocsServlet.class", "/swagger-ui-es-bundle.js", "/index.css", "/openapi.yaml", "/.hidden.js",
                "/x..js", "/" + "a".repeat(200) + ".js" }) {
            Answer a = get(path);
            assertThat(a.status).as(path).isEqualTo(404);
            assertThat(a.body.size()).as(path).isZero();
        }
    }
}
