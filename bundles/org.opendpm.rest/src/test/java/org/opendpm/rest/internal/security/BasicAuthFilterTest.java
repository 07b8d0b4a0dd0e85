package org.opendpm.rest.internal.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.Response;

import org.junit.Test;
import org.opendpm.api.security.LoginReady;
import org.opendpm.rest.internal.RestReadiness;
import org.opendpm.rest.internal.dto.Problem;

/** Before logins are possible every request is told to come back (503), never that its credentials are wrong. */
public class BasicAuthFilterTest {

    /** The resources still missing from the application, as the readiness gate sees them. */
    private final List<String> missing = new CopyOnWriteArrayList<>();
    private final BasicAuthFilter filter = new BasicAuthFilter(new BasicAuthFilter.Config() {
        @Override
        public String realm() {
            // No JAAS configuration exists in a unit test: a login attempt fails as an unknown realm would.
            return "opendpm-unit-test";
        }

        @Override
        public Class<? extends Annotation> annotationType() {
            return BasicAuthFilter.Config.class;
        }
    }, new RestReadiness(() -> List.copyOf(missing), Clock.systemUTC()));

    /** Runs the filter on a request with this Authorization header (null for none); returns how it was aborted. */
    private Response filter(String authorization) {
        AtomicReference<Response> aborted = new AtomicReference<>();
        var request = (ContainerRequestContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{ ContainerRequestContext.class }, (proxy, m, args) -> switch (m.getName()) {
                case "getHeaderString" -> HttpHeaders.AUTHORIZATION.equals(args[0]) ? authorization : null;
                case "abortWith" -> {
                    aborted.set((Response) args[0]);
                    yield null;
                }
                default -> throw new AssertionError("not used by this test: " + m);
                });
        filter.filter(request);
        return aborted.get();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    public void beforeLoginsAreReadyEveryRequestIs503StartingWithRetryAfter() {
        for (String authorization : new String[]{ null, basic("admin", "the right password"), "Basic !!" }) {
            Response r = filter(authorization);
            assertThat(r.getStatus()).isEqualTo(503);
            assertThat(r.getHeaderString(HttpHeaders.RETRY_AFTER)).isEqualTo(BasicAuthFilter.RETRY_AFTER_SECONDS);
            assertThat(r.getHeaderString(HttpHeaders.WWW_AUTHENTICATE)).isNull();
            Problem p = (Problem) r.getEntity();
            assertThat(p.status()).isEqualTo(503);
            assertThat(p.title()).isEqualTo("OpenDPM is starting");
            assertThat(p.detail()).contains("administrator");
        }
    }

    @Test
    public void onceReadyCredentialsAreCheckedAndMissingOnesAre401() {
        LoginReady ready = new LoginReady() {
        };
        filter.bindLoginReady(ready);
        Response none = filter(null);
        assertThat(none.getStatus()).isEqualTo(401);
        assertThat(none.getHeaderString(HttpHeaders.WWW_AUTHENTICATE)).startsWith("Basic");
        assertThat(filter("Basic !!").getStatus()).isEqualTo(401);
        assertThat(filter(basic("admin", "any")).getStatus()).isEqualTo(401);

        filter.unbindLoginReady(ready);
        assertThat(filter(null).getStatus()).isEqualTo(503);
    }

    @Test
    public void untilEveryResourceHasJoinedTheApplicationRequestsAre503Starting() {
        filter.bindLoginReady(new LoginReady() {
        });
        missing.add("ExecutionResource (waits for executions (objectClass=ExecutionService))");
        Response r = filter(basic("admin", "any"));
        assertThat(r.getStatus()).isEqualTo(503);
        assertThat(r.getHeaderString(HttpHeaders.RETRY_AFTER)).isEqualTo(BasicAuthFilter.RETRY_AFTER_SECONDS);
        assertThat(((Problem) r.getEntity()).title()).isEqualTo("OpenDPM is starting");

        missing.clear();
        assertThat(filter(basic("admin", "any")).getStatus()).isEqualTo(401);
        missing.add("a resource that left later");
        assertThat(filter(null).getStatus()).as("once open the gate stays open").isEqualTo(401);
    }
}
