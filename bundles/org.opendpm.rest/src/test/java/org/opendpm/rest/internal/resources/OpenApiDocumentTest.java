package org.opendpm.rest.internal.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import javax.ws.rs.HttpMethod;
import javax.ws.rs.core.Response;

import org.junit.Test;
import org.opendpm.rest.internal.dto.Problem;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

/**
 * The OpenAPI document generated at build time: served by {@link ServerResource}, valid for a real OpenAPI parser,
 * complete (every resource method of this bundle is in it), and every error answer in it is a {@code Problem}.
 */
public class OpenApiDocumentTest {

    static final String PROBLEM_REF = "#/components/schemas/Problem";

    private static ServerResource serverResource() {
        Bundle bundle = (Bundle) Proxy.newProxyInstance(Bundle.class.getClassLoader(), new Class<?>[]{ Bundle.class },
                (proxy, m, args) -> {
                    if (m.getName().equals("getVersion")) {
                        return new Version(1, 2, 3);
                    }
                    throw new AssertionError("not used by this test: " + m);
                });
        BundleContext context = (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[]{ BundleContext.class }, (proxy, m, args) -> {
                    if (m.getName().equals("getBundle") && args == null) {
                        return bundle;
                    }
                    throw new AssertionError("not used by this test: " + m);
                });
        return new ServerResource(context, null);
    }

    private static String servedDocument() throws IOException {
        Response r = serverResource().openApi();
        assertThat(r.getStatus()).isEqualTo(200);
        return new String((byte[]) r.getEntity(), StandardCharsets.UTF_8);
    }

    static SwaggerParseResult parse(String json) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);
        return new OpenAPIV3Parser().readContents(json, null, options);
    }

    /** Every 4xx or 5xx answer that does not give exactly a {@code Problem} body, as "METHOD path status". */
    static List<String> errorsWithoutProblem(OpenAPI api) {
        List<String> bad = new ArrayList<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
            op.getResponses().forEach((status, response) -> {
                if (!status.startsWith("4") && !status.startsWith("5")) {
                    return;
                }
                boolean problem = response.getContent() != null && !response.getContent().isEmpty()
                        && response.getContent().values().stream().allMatch(media -> media.getSchema() != null
                                && PROBLEM_REF.equals(media.getSchema().get$ref()));
                if (!problem) {
                    bad.add(method + " " + path + " " + status);
                }
            });
        }));
        return bad;
    }

    @Test
    public void theServedDocumentIsValidOpenApi3() throws IOException {
        SwaggerParseResult result = parse(servedDocument());
        assertThat(result.getMessages()).isEmpty();
        assertThat(result.getOpenAPI().getOpenapi()).startsWith("3.");
        assertThat(result.getOpenAPI().getInfo().getTitle()).isEqualTo("OpenDPM REST API");
        assertThat(result.getOpenAPI().getComponents().getSecuritySchemes()).containsKey("basic");
    }

    @Test
    public void everyErrorAnswerIsAProblemWithTheFieldsRestSends() throws IOException {
        OpenAPI api = parse(servedDocument()).getOpenAPI();
        assertThat(errorsWithoutProblem(api)).isEmpty();
        // Operations do declare errors: the check above is not vacuous.
        assertThat(api.getPaths().get("/machines/{id}/power").getPost().getResponses()).containsKeys("400", "404",
                "409", "503");
        // The schema has the body ProblemMapper and the authentication filter send, field for field.
        var properties = api.getComponents().getSchemas().get("Problem").getProperties();
        assertThat(properties.keySet()).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(Problem.class.getRecordComponents()).map(RecordComponent::getName).toList());
        assertThat(properties.keySet()).contains("status", "title", "detail", "field");
    }

    @Test
    public void aDocumentWithAnErrorAnswerOfAnotherShapeIsCaught() {
        String bad = """
                {"openapi":"3.0.1","info":{"title":"t","version":"1"},"paths":{"/machines":{"get":{"responses":{
                  "200":{"description":"ok"},
                  "404":{"description":"no body"},
                  "409":{"description":"other","content":{"application/json":{"schema":{"type":"string"}}}},
                  "503":{"description":"good","content":{"application/json":{"schema":{
                    "$ref":"#/components/schemas/Problem"}}}}
                }}}},"components":{"schemas":{"Problem":{"type":"object"}}}}""";
        SwaggerParseResult result = parse(bad);
        assertThat(result.getMessages()).isEmpty();
        assertThat(errorsWithoutProblem(result.getOpenAPI())).containsExactly("GET /machines 404",
                "GET /machines 409");
        assertThat(parse("{\"openapi\":\"3.0.1\",\"paths\":{\"/x\":{\"get\":{}}}}").getMessages()).isNotEmpty();
    }

    @Test
    public void everyResourceMethodOfThisBundleIsInTheDocument() throws Exception {
        OpenAPI api = parse(servedDocument()).getOpenAPI();
        var documented = new TreeSet<String>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().keySet()
                .forEach(method -> documented.add(method + " " + path)));
        var declared = new TreeSet<String>();
        for (Class<?> resource : resourceClasses()) {
            String base = resource.getAnnotation(javax.ws.rs.Path.class).value();
            for (Method m : resource.getDeclaredMethods()) {
                String http = httpMethod(m);
                if (http != null) {
                    javax.ws.rs.Path sub = m.getAnnotation(javax.ws.rs.Path.class);
                    declared.add(http + " " + join(base, sub == null ? "" : sub.value()));
                }
            }
        }
        assertThat(declared).contains("GET /openapi.json", "GET /machines", "POST /executions");
        assertThat(documented).containsExactlyElementsOf(declared);
    }

    private static String httpMethod(Method m) {
        return Arrays.stream(m.getAnnotations()).map(a -> a.annotationType().getAnnotation(HttpMethod.class))
                .filter(h -> h != null).map(h -> PathItem.HttpMethod.valueOf(h.value()).name()).findFirst()
                .orElse(null);
    }

    private static String join(String base, String sub) {
        String path = ("/" + base + "/" + sub).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** The compiled classes of this package that carry {@code @Path}: the JAX-RS resources. */
    private static List<Class<?>> resourceClasses() throws IOException, URISyntaxException {
        Path classes = Path.of(ServerResource.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        // Every package of the bundle: the sign-in and the event stream live beside the code they belong with.
        Path dir = classes.resolve("org/opendpm/rest/internal");
        List<Class<?>> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class") && !p.toString().contains("$")).toList()) {
                String name = classes.relativize(f).toString().replace('/', '.');
                Class<?> c;
                try {
                    c = Class.forName(name.substring(0, name.length() - ".class".length()));
                } catch (ClassNotFoundException e) {
                    throw new AssertionError(e);
                }
                if (c.isAnnotationPresent(javax.ws.rs.Path.class)) {
                    found.add(c);
                }
            }
        }
        assertThat(found).hasSizeGreaterThan(10);
        return found;
    }
}
