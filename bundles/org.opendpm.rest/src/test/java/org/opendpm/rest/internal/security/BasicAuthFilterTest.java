package org.opendpm.rest.internal.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;
import javax.servlet.http.HttpServletRequest;
import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.Response;

import org.junit.Test;
import org.opendpm.api.security.ClientAddressCallback;
import org.opendpm.api.security.LoginReady;
import org.opendpm.api.security.LoginThrottledException;
import org.opendpm.rest.internal.RestReadiness;
import org.opendpm.rest.internal.dto.Problem;

/**
 * Before logins are possible every request is told to come back (503), never that its credentials are wrong; a login
 * the realm throttles is told to come back later (429 with Retry-After), and the realm learns the client's address.
 */
public class BasicAuthFilterTest {

    private static final String REALM = "opendpm-unit-test";

    // No JAAS configuration of the JVM names the realm in a unit test: a login fails as with an unknown realm.
    /** The resources still missing from the application, as the readiness gate sees them. */
    private final List<String> missing = new CopyOnWriteArrayList<>();
    private final BasicAuthFilter filter = new BasicAuthFilter(config(), new RestReadiness(() -> List.copyOf(missing),
            Clock.systemUTC()), null);

    private static BasicAuthFilter.Config config() {
        return new BasicAuthFilter.Config() {
            @Override
            public String realm() {
                return REALM;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return BasicAuthFilter.Config.class;
            }
        };
    }

    /** Runs the filter on a request with this Authorization header (null for none); returns how it was aborted. */
    private Response filter(String authorization) {
        return filter(filter, authorization, "192.0.2.7");
    }

    /** A request from this client address, which the JAX-RS runtime gives through the servlet request's proxy. */
    private static Response filter(BasicAuthFilter filter, String authorization, String remoteAddress) {
        filter.setServletRequest((HttpServletRequest) Proxy.newProxyInstance(
                BasicAuthFilterTest.class.getClassLoader(), new Class<?>[]{ HttpServletRequest.class },
                (proxy, m, args) -> switch (m.getName()) {
                case "getRemoteAddr" -> remoteAddress;
                default -> throw new AssertionError("not used by this test: " + m);
                }));
        AtomicReference<Response> aborted = new AtomicReference<>();
        var request = (ContainerRequestContext) Proxy.newProxyInstance(BasicAuthFilterTest.class.getClassLoader(),
                new Class<?>[]{ ContainerRequestContext.class }, (proxy, m, args) -> switch (m.getName()) {
                case "getHeaderString" -> HttpHeaders.AUTHORIZATION.equals(args[0]) ? authorization : null;
                case "getSecurityContext" -> null;
                case "setSecurityContext" -> null;
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

    /** What the realm's module does with one login in these tests. */
    public interface Outcome {
        void login(String user, String password, String address) throws LoginException;
    }

    /** A JAAS login module that hands the credentials and the client address to the {@link Outcome} in its options. */
    public static class ScriptedLoginModule implements LoginModule {
        private CallbackHandler handler;
        private Outcome outcome;

        @Override
        public void initialize(Subject subject, CallbackHandler callbackHandler, Map<String, ?> sharedState,
                Map<String, ?> options) {
            this.handler = callbackHandler;
            this.outcome = (Outcome) options.get("outcome");
        }

        @Override
        public boolean login() throws LoginException {
            var name = new NameCallback("user: ");
            var password = new PasswordCallback("password: ", false);
            var address = new ClientAddressCallback();
            try {
                handler.handle(new Callback[]{ name, password, address });
            } catch (IOException | UnsupportedCallbackException e) {
                throw new AssertionError(e);
            }
            outcome.login(name.getName(), new String(password.getPassword()), address.getAddress());
            return true;
        }

        @Override
        public boolean commit() {
            return true;
        }

        @Override
        public boolean abort() {
            return true;
        }

        @Override
        public boolean logout() {
            return true;
        }
    }

    private static BasicAuthFilter scripted(Outcome outcome) {
        var jaas = new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return name.equals(REALM)
                        ? new AppConfigurationEntry[]{ new AppConfigurationEntry(
                                ScriptedLoginModule.class.getName(), LoginModuleControlFlag.REQUIRED,
                                Map.of("outcome", outcome)) }
                        : null;
            }
        };
        var f = new BasicAuthFilter(config(), new RestReadiness(List::of, Clock.systemUTC()), jaas);
        f.bindLoginReady(new LoginReady() {
        });
        return f;
    }

    @Test
    public void aThrottledLoginIs429WithRetryAfterAndAProblemThatSaysNothingOfThePassword() {
        List<String> seen = new ArrayList<>();
        BasicAuthFilter f = scripted((user, password, address) -> {
            seen.add(user + " " + address);
            throw new LoginThrottledException(Duration.ofMillis(2_500));
        });
        Response r = filter(f, basic("alice", "the right password"), "198.51.100.23");
        assertThat(seen).containsExactly("alice 198.51.100.23");
        assertThat(r.getStatus()).isEqualTo(429);
        assertThat(r.getHeaderString(HttpHeaders.RETRY_AFTER)).isEqualTo("3");
        assertThat(r.getHeaderString(HttpHeaders.WWW_AUTHENTICATE)).isNull();
        Problem p = (Problem) r.getEntity();
        assertThat(p.status()).isEqualTo(429);
        assertThat(p.title()).isEqualTo("Too many failed logins");
        assertThat(p.detail()).contains("try again in 3 s").doesNotContainIgnoringCase("password");
    }

    @Test
    public void wrongCredentialsAre401AndRightOnesPassWithTheClientAddressGivenToTheRealm() {
        List<String> seen = new ArrayList<>();
        BasicAuthFilter f = scripted((user, password, address) -> {
            seen.add(user + " " + address);
            if (!password.equals("the right password")) {
                throw new FailedLoginException("Wrong user name or password");
            }
        });
        Response wrong = filter(f, basic("alice", "wrong"), "192.0.2.7");
        assertThat(wrong.getStatus()).isEqualTo(401);
        assertThat(wrong.getHeaderString(HttpHeaders.RETRY_AFTER)).isNull();
        assertThat(filter(f, basic("alice", "the right password"), "2001:db8::1")).isNull();
        assertThat(seen).containsExactly("alice 192.0.2.7", "alice 2001:db8::1");
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
