package org.opendpm.rest.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.FailedLoginException;
import javax.servlet.http.HttpServletRequest;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.junit.Test;
import org.opendpm.api.ValidationException;
import org.opendpm.api.security.LoginThrottledException;
import org.opendpm.api.security.Role;
import org.opendpm.rest.internal.dto.LoginDto;
import org.opendpm.rest.internal.dto.Problem;
import org.opendpm.rest.internal.dto.SessionDto;

/**
 * The console's sign-in goes through the realm with the client's address (so it is throttled as HTTP Basic is), sets
 * an HttpOnly SameSite=Strict cookie, Secure over HTTPS, and sign-out ends the session on the server.
 */
public class SessionResourceTest {

    private static final String REALM = "opendpm-unit-test";
    private final SessionStore sessions = new SessionStore(SessionStoreTest.config(30, 12, 100, 5));
    private final List<String> seen = new ArrayList<>();
    private volatile boolean throttled;

    private final SessionResource resource = new SessionResource(new AuthenticationFilter.Config() {
        @Override
        public String realm() {
            return REALM;
        }

        @Override
        public Class<? extends Annotation> annotationType() {
            return AuthenticationFilter.Config.class;
        }
    }, sessions, AuthenticationFilterTest.users(Map.of("alice", Set.of(Role.OPERATOR))), new Configuration() {
        @Override
        public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
            AuthenticationFilterTest.Outcome outcome = (user, password, address) -> {
                seen.add(user + " " + address);
                if (throttled) {
                    throw new LoginThrottledException(Duration.ofSeconds(4));
                }
                if (!password.equals("the right password")) {
                    throw new FailedLoginException("Wrong user name or password");
                }
            };
            return name.equals(REALM)
                    ? new AppConfigurationEntry[]{ new AppConfigurationEntry(
                            AuthenticationFilterTest.ScriptedLoginModule.class.getName(),
                            LoginModuleControlFlag.REQUIRED, Map.of("outcome", outcome)) }
                    : null;
        }
    });

    private static HttpServletRequest from(String address) {
        return (HttpServletRequest) Proxy.newProxyInstance(SessionResourceTest.class.getClassLoader(),
                new Class<?>[]{ HttpServletRequest.class }, (proxy, m, args) -> switch (m.getName()) {
                case "getRemoteAddr" -> address;
                default -> throw new AssertionError("not used by this test: " + m);
                });
    }

    private static SecurityContext security(String user, boolean secure, String scheme) {
        return new SecurityContext() {
            @Override
            public Principal getUserPrincipal() {
                return user == null ? null : () -> user;
            }

            @Override
            public boolean isUserInRole(String role) {
                return role.equals("viewer");
            }

            @Override
            public boolean isSecure() {
                return secure;
            }

            @Override
            public String getAuthenticationScheme() {
                return scheme;
            }
        };
    }

    private static String cookieId(Response r) {
        String set = r.getHeaderString(HttpHeaders.SET_COOKIE);
        return set.substring(SessionCookie.NAME.length() + 1, set.indexOf(';'));
    }

    @Test
    public void signInSetsAnHttpOnlySameSiteCookieAndGivesTheCsrfToken() {
        Response r = resource.login(new LoginDto("alice", "the right password"), from("192.0.2.7"), security(null,
                false, null));
        assertThat(r.getStatus()).isEqualTo(201);
        assertThat(seen).containsExactly("alice 192.0.2.7");
        String cookie = r.getHeaderString(HttpHeaders.SET_COOKIE);
        assertThat(cookie).startsWith(SessionCookie.NAME + "=").contains("; Path=/opendpm").contains("; HttpOnly")
                .contains("; SameSite=Strict").doesNotContain("Secure").doesNotContain("Max-Age");
        SessionDto dto = (SessionDto) r.getEntity();
        assertThat(dto.user()).isEqualTo("alice");
        var session = sessions.find(cookieId(r)).orElseThrow();
        assertThat(session.csrfToken()).isEqualTo(dto.csrfToken());
        assertThat(session.storedRoles()).containsExactly(Role.OPERATOR);

        Response overHttps = resource.login(new LoginDto("alice", "the right password"), from("192.0.2.7"),
                security(null, true, null));
        assertThat(overHttps.getHeaderString(HttpHeaders.SET_COOKIE)).endsWith("; Secure");
    }

    @Test
    public void aWrongPasswordIs401AndAThrottledOne429WithRetryAfter() {
        Response wrong = resource.login(new LoginDto("alice", "wrong"), from("192.0.2.7"), security(null, false,
                null));
        assertThat(wrong.getStatus()).isEqualTo(401);
        assertThat(wrong.getHeaderString(HttpHeaders.SET_COOKIE)).isNull();
        assertThat(wrong.getHeaderString(HttpHeaders.WWW_AUTHENTICATE)).isNull();
        throttled = true;
        Response r = resource.login(new LoginDto("alice", "the right password"), from("198.51.100.9"), security(null,
                false, null));
        assertThat(r.getStatus()).isEqualTo(429);
        assertThat(r.getHeaderString(HttpHeaders.RETRY_AFTER)).isEqualTo("4");
        assertThat(((Problem) r.getEntity()).title()).isEqualTo("Too many failed logins");
        assertThat(seen).containsExactly("alice 192.0.2.7", "alice 198.51.100.9");
    }

    @Test
    public void missingOrOverlongFieldsAreRefusedBeforeTheRealmIsAsked() {
        assertThatThrownBy(() -> resource.login(new LoginDto(null, "x"), from("192.0.2.7"), null)).isInstanceOf(
                ValidationException.class).hasMessageContaining("user");
        assertThatThrownBy(() -> resource.login(new LoginDto("alice", "x".repeat(1025)), from("192.0.2.7"), null))
                .isInstanceOf(ValidationException.class).hasMessageContaining("password");
        assertThatThrownBy(() -> resource.login(null, from("192.0.2.7"), null)).isInstanceOf(
                ValidationException.class);
        assertThat(seen).isEmpty();
    }

    @Test
    public void signOutEndsTheSessionSoItsCookieNoLongerAuthenticates() {
        Response in = resource.login(new LoginDto("alice", "the right password"), from("192.0.2.7"), security(null,
                false, null));
        String id = cookieId(in);
        SecurityContext asAlice = security("alice", false, AuthenticationFilter.SESSION_AUTH);
        assertThat(((SessionDto) resource.whoAmI(id, asAlice).getEntity()).csrfToken()).isEqualTo(
                ((SessionDto) in.getEntity()).csrfToken());
        Response out = resource.logout(id, asAlice);
        assertThat(out.getStatus()).isEqualTo(204);
        assertThat(out.getHeaderString(HttpHeaders.SET_COOKIE)).startsWith(SessionCookie.NAME + "=;").contains(
                "Max-Age=0");
        assertThat(sessions.find(id)).isEmpty();
    }
}
