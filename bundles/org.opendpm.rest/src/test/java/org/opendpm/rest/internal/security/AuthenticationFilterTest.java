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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
import javax.ws.rs.core.Cookie;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;
import javax.ws.rs.core.UriInfo;

import org.junit.Test;
import org.opendpm.api.security.ClientAddressCallback;
import org.opendpm.api.security.LoginReady;
import org.opendpm.api.security.LoginThrottledException;
import org.opendpm.api.security.Role;
import org.opendpm.api.security.User;
import org.opendpm.api.security.UserService;
import org.opendpm.rest.internal.RestReadiness;
import org.opendpm.rest.internal.dto.Problem;

/**
 * Before logins are possible every request is told to come back (503), never that its credentials are wrong; a login
 * the realm throttles is told to come back later (429 with Retry-After), and the realm learns the client's address.
 */
public class AuthenticationFilterTest {

    private static final String REALM = "opendpm-unit-test";

    // No JAAS configuration of the JVM names the realm in a unit test: a login fails as with an unknown realm.
    /** The resources still missing from the application, as the readiness gate sees them. */
    private final List<String> missing = new CopyOnWriteArrayList<>();
    private final AuthenticationFilter filter = new AuthenticationFilter(config(), new RestReadiness(() -> List.copyOf(
            missing), Clock.systemUTC()), new SessionStore(SessionStoreTest.config(30, 12, 100, 5)), null);

    private static AuthenticationFilter.Config config() {
        return new AuthenticationFilter.Config() {
            @Override
            public String realm() {
                return REALM;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return AuthenticationFilter.Config.class;
            }
        };
    }

    /** Runs the filter on a request with this Authorization header (null for none); returns how it was aborted. */
    private Response filter(String authorization) {
        return filter(filter, authorization, "192.0.2.7");
    }

    /** A request from this client address, which the JAX-RS runtime gives through the servlet request's proxy. */
    private static Response filter(AuthenticationFilter filter, String authorization, String remoteAddress) {
        return filter(filter, new Req("GET", "server", authorization, null, null), remoteAddress).aborted();
    }

    /** A request: method, path in the application, Authorization header, session cookie and CSRF header. */
    record Req(String method, String path, String authorization, String cookie, String csrf) {
    }

    /** How the filter left a request: aborted with a response, or passed on with this security context. */
    record Filtered(Response aborted, SecurityContext security) {
    }

    static Filtered filter(AuthenticationFilter filter, Req req, String remoteAddress) {
        filter.setServletRequest((HttpServletRequest) Proxy.newProxyInstance(
                AuthenticationFilterTest.class.getClassLoader(), new Class<?>[]{ HttpServletRequest.class },
                (proxy, m, args) -> switch (m.getName()) {
                case "getRemoteAddr" -> remoteAddress;
                default -> throw new AssertionError("not used by this test: " + m);
                }));
        var uri = (UriInfo) Proxy.newProxyInstance(AuthenticationFilterTest.class.getClassLoader(),
                new Class<?>[]{ UriInfo.class }, (proxy, m, args) -> switch (m.getName()) {
                case "getPath" -> req.path();
                default -> throw new AssertionError("not used by this test: " + m);
                });
        AtomicReference<Response> aborted = new AtomicReference<>();
        AtomicReference<SecurityContext> security = new AtomicReference<>();
        var request = (ContainerRequestContext) Proxy.newProxyInstance(AuthenticationFilterTest.class.getClassLoader(),
                new Class<?>[]{ ContainerRequestContext.class }, (proxy, m, args) -> switch (m.getName()) {
                case "getHeaderString" -> switch ((String) args[0]) {
                case HttpHeaders.AUTHORIZATION -> req.authorization();
                case SessionCookie.CSRF_HEADER -> req.csrf();
                default -> null;
                };
                case "getMethod" -> req.method();
                case "getUriInfo" -> uri;
                case "getCookies" -> req.cookie() == null
                        ? Map.of()
                        : Map.of(SessionCookie.NAME, new Cookie(SessionCookie.NAME, req.cookie()));
                case "getSecurityContext" -> null;
                case "setSecurityContext" -> {
                    security.set((SecurityContext) args[0]);
                    yield null;
                }
                case "abortWith" -> {
                    aborted.set((Response) args[0]);
                    yield null;
                }
                default -> throw new AssertionError("not used by this test: " + m);
                });
        filter.filter(request);
        return new Filtered(aborted.get(), security.get());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    public void beforeLoginsAreReadyEveryRequestIs503StartingWithRetryAfter() {
        for (String authorization : new String[]{ null, basic("admin", "the right password"), "Basic !!" }) {
            Response r = filter(authorization);
            assertThat(r.getStatus()).isEqualTo(503);
            assertThat(r.getHeaderString(HttpHeaders.RETRY_AFTER)).isEqualTo(AuthenticationFilter.RETRY_AFTER_SECONDS);
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

    private final SessionStore sessions = new SessionStore(SessionStoreTest.config(30, 12, 100, 5));
    /** The users' roles as the database holds them. */
    private final Map<String, Set<Role>> stored = new ConcurrentHashMap<>(Map.of("alice", Set.of(Role.OPERATOR),
            "bob", Set.of(Role.VIEWER)));

    /** A user service over the map, as far as the filter uses it. */
    static UserService users(Map<String, Set<Role>> stored) {
        return (UserService) Proxy.newProxyInstance(AuthenticationFilterTest.class.getClassLoader(),
                new Class<?>[]{ UserService.class }, (proxy, m, args) -> switch (m.getName()) {
                case "find" -> Optional.ofNullable(stored.get((String) args[0])).map(r -> new User(
                        (String) args[0], r));
                default -> throw new AssertionError("not used by this test: " + m);
                });
    }

    private AuthenticationFilter scripted(Outcome outcome) {
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
        var f = new AuthenticationFilter(config(), new RestReadiness(List::of, Clock.systemUTC()), sessions, jaas);
        f.bindLoginReady(new LoginReady() {
        });
        f.bindUsers(users(stored));
        return f;
    }

    @Test
    public void aThrottledLoginIs429WithRetryAfterAndAProblemThatSaysNothingOfThePassword() {
        List<String> seen = new ArrayList<>();
        AuthenticationFilter f = scripted((user, password, address) -> {
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
        AuthenticationFilter f = scripted((user, password, address) -> {
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
        assertThat(r.getHeaderString(HttpHeaders.RETRY_AFTER)).isEqualTo(AuthenticationFilter.RETRY_AFTER_SECONDS);
        assertThat(((Problem) r.getEntity()).title()).isEqualTo("OpenDPM is starting");

        missing.clear();
        assertThat(filter(basic("admin", "any")).getStatus()).isEqualTo(401);
        missing.add("a resource that left later");
        assertThat(filter(null).getStatus()).as("once open the gate stays open").isEqualTo(401);
    }

    /** A realm that lets alice in with the right password. */
    private AuthenticationFilter aliceOnly() {
        return scripted((user, password, address) -> {
            if (!password.equals("the right password")) {
                throw new FailedLoginException("Wrong user name or password");
            }
        });
    }

    @Test
    public void aSessionCookieAuthenticatesReadsAndChangesWithTheRightCsrfTokenOnly() {
        AuthenticationFilter f = aliceOnly();
        var created = sessions.create("alice", Set.of("viewer", "operator"), Set.of(Role.OPERATOR));
        String id = created.id();
        String token = created.session().csrfToken();

        Filtered read = filter(f, new Req("GET", "machines", null, id, null), "192.0.2.7");
        assertThat(read.aborted()).isNull();
        assertThat(read.security().getUserPrincipal().getName()).isEqualTo("alice");
        assertThat(read.security().isUserInRole("operator")).isTrue();
        assertThat(read.security().isUserInRole("admin")).isFalse();
        assertThat(read.security().getAuthenticationScheme()).isEqualTo(AuthenticationFilter.SESSION_AUTH);

        Filtered change = filter(f, new Req("POST", "machines", null, id, token), "192.0.2.7");
        assertThat(change.aborted()).isNull();
        assertThat(change.security().getUserPrincipal().getName()).isEqualTo("alice");

        for (String method : new String[]{ "POST", "PUT", "PATCH", "DELETE" }) {
            Response none = filter(f, new Req(method, "machines/1", null, id, null), "192.0.2.7").aborted();
            assertThat(none.getStatus()).as(method + " without a token").isEqualTo(403);
            assertThat(((Problem) none.getEntity()).title()).isEqualTo("CSRF token missing or wrong");
            Response wrong = filter(f, new Req(method, "machines/1", null, id, token.substring(1) + "A"),
                    "192.0.2.7").aborted();
            assertThat(wrong.getStatus()).as(method + " with a wrong token").isEqualTo(403);
        }
        var other = sessions.create("bob", Set.of("viewer"), Set.of(Role.VIEWER));
        assertThat(filter(f, new Req("POST", "machines", null, id, other.session().csrfToken()), "192.0.2.7")
                .aborted().getStatus()).as("another session's token").isEqualTo(403);
    }

    @Test
    public void aSessionEndsOnceItsUserIsGivenOtherRolesOrDeleted() {
        AuthenticationFilter f = aliceOnly();
        var alice = sessions.create("alice", Set.of("viewer", "operator"), Set.of(Role.OPERATOR));
        var bob = sessions.create("bob", Set.of("viewer"), Set.of(Role.VIEWER));
        assertThat(filter(f, new Req("GET", "machines", null, alice.id(), null), "192.0.2.7").aborted()).isNull();

        stored.put("alice", Set.of(Role.VIEWER));
        Response demoted = filter(f, new Req("GET", "machines", null, alice.id(), null), "192.0.2.7").aborted();
        assertThat(demoted.getStatus()).isEqualTo(401);
        assertThat(sessions.find(alice.id())).isEmpty();

        stored.remove("bob");
        assertThat(filter(f, new Req("GET", "machines", null, bob.id(), null), "192.0.2.7").aborted().getStatus())
                .isEqualTo(401);
        assertThat(sessions.find(bob.id())).isEmpty();
    }

    @Test
    public void withoutTheDatabaseASessionCannotBeCheckedAndGets503() {
        AuthenticationFilter f = aliceOnly();
        var alice = sessions.create("alice", Set.of("viewer", "operator"), Set.of(Role.OPERATOR));
        UserService gone = users(stored);
        f.bindUsers(gone);
        f.unbindUsers(gone);
        Response r = filter(f, new Req("GET", "machines", null, alice.id(), null), "192.0.2.7").aborted();
        assertThat(r.getStatus()).isEqualTo(503);
        assertThat(sessions.find(alice.id())).as("kept for when the database is back").isPresent();
    }

    @Test
    public void anUnknownOrEndedSessionIs401WithoutTheBrowsersDialogForThePagesScripts() {
        AuthenticationFilter f = aliceOnly();
        var created = sessions.create("alice", Set.of("viewer"), Set.of(Role.VIEWER));
        assertThat(sessions.end(created.id())).isTrue();
        Response ended = filter(f, new Req("GET", "machines", null, created.id(), null), "192.0.2.7").aborted();
        assertThat(ended.getStatus()).isEqualTo(401);
        assertThat(((Problem) ended.getEntity()).detail()).contains("sign in again");
        Response forged = filter(f, new Req("POST", "machines", null, "made-up", "made-up"), "192.0.2.7").aborted();
        assertThat(forged.getStatus()).isEqualTo(401);
    }

    @Test
    public void basicAuthenticationNeedsNoCsrfTokenAndWinsOverACookie() {
        AuthenticationFilter f = aliceOnly();
        Filtered basic = filter(f, new Req("DELETE", "machines/1", basic("alice", "the right password"), null,
                null), "192.0.2.7");
        assertThat(basic.aborted()).isNull();
        assertThat(basic.security().getAuthenticationScheme()).isEqualTo(SecurityContext.BASIC_AUTH);
        var created = sessions.create("alice", Set.of("viewer"), Set.of(Role.VIEWER));
        assertThat(filter(f, new Req("DELETE", "machines/1", basic("alice", "wrong"), created.id(), null),
                "192.0.2.7").aborted().getStatus()).isEqualTo(401);
    }

    @Test
    public void onlyTheSignInPassesUnauthenticated() {
        AuthenticationFilter f = aliceOnly();
        assertThat(filter(f, new Req("POST", "session", null, null, null), "192.0.2.7").aborted()).isNull();
        assertThat(filter(f, new Req("GET", "session", null, null, null), "192.0.2.7").aborted().getStatus())
                .isEqualTo(401);
        assertThat(filter(f, new Req("DELETE", "session", null, null, null), "192.0.2.7").aborted().getStatus())
                .isEqualTo(401);
        assertThat(filter(f, new Req("POST", "session/x", null, null, null), "192.0.2.7").aborted().getStatus())
                .isEqualTo(401);
    }
}
