package org.opendpm.rest.internal.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Principal;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

import javax.annotation.Priority;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.servlet.http.HttpServletRequest;
import javax.ws.rs.HttpMethod;
import javax.ws.rs.Priorities;
import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.container.PreMatching;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.Cookie;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.opendpm.api.security.ClientAddressCallback;
import org.opendpm.api.security.LoginReady;
import org.opendpm.api.StoreUnavailableException;
import org.opendpm.api.security.LoginThrottledException;
import org.opendpm.api.security.Role;
import org.opendpm.api.security.User;
import org.opendpm.api.security.UserService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.RestReadiness;
import org.opendpm.rest.internal.dto.Problem;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.jaxrs.runtime.JaxrsServiceRuntime;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtension;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsName;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates every request before any resource runs, in one of two ways. HTTP Basic through the JAAS realm (by
 * default {@code opendpm}) for API clients: their credentials are not ambient, so a change needs nothing more. Or the
 * console's session cookie ({@link SessionCookie}, {@link SessionStore}): a browser sends it with any request, also
 * one another site's page makes it send, so every request other than GET, HEAD and OPTIONS authenticated by the
 * cookie must carry the session's token in {@code X-CSRF-Token}, else 403. An Authorization header wins over a
 * cookie. Only the sign-in itself ({@code POST session}) passes unauthenticated: it checks a password of its own.
 *
 * <p>Until {@link LoginReady} is registered (the database is ready and an administrator exists) and every resource
 * has joined the application ({@link RestReadiness}) every request gets 503 "OpenDPM is starting" with
 * {@code Retry-After} instead: a login refused then could succeed a moment later, so it must not be told its
 * credentials are wrong, and a request answered then could be followed by a 404 while the application is rebuilt for
 * a resource that joins later.
 *
 * <p>The realm throttles failed logins per user name and per client address (the remote address of the HTTP
 * connection, told through {@link ClientAddressCallback}; behind a reverse proxy that is the proxy's). A throttled
 * login gets 429 "Too many failed logins" with {@code Retry-After}, its credentials unchecked. A 401 carries
 * {@code WWW-Authenticate} only for clients that did not say they are scripts of a page
 * ({@code X-Requested-With}), so the console shows its own sign-in rather than the browser's dialog.
 */
@Component(service = ContainerRequestFilter.class, configurationPid = "org.opendpm.rest")
@Designate(ocd = AuthenticationFilter.Config.class)
@JaxrsExtension
@JaxrsName(OpenDpmApplication.AUTHENTICATION_NAME)
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class AuthenticationFilter implements ContainerRequestFilter {

    @ObjectClassDefinition(name = "OpenDPM REST API")
    public @interface Config {
        @AttributeDefinition(description = "JAAS realm that checks REST credentials")
        String realm() default "opendpm";
    }

    private static final Logger LOG = LoggerFactory.getLogger(AuthenticationFilter.class);

    /** Seconds a client is asked to wait while OpenDPM starts; start-up takes a few. */
    static final String RETRY_AFTER_SECONDS = "1";
    /** The path, relative to the application, of the sign-in. */
    public static final String SESSION_PATH = "session";
    /** The scheme of a request authenticated by the console's cookie. */
    public static final String SESSION_AUTH = "SESSION";
    private static final Set<String> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private final RealmLogin realmLogin;
    private volatile String realm;
    private volatile boolean loginReady;
    private final RestReadiness resources;
    private final SessionStore sessions;
    /** Checks that a session's user still exists with the same roles; away while the database is. */
    private volatile UserService users;
    private volatile HttpServletRequest servletRequest;

    @Activate
    public AuthenticationFilter(Config config, BundleContext context, @Reference ServiceComponentRuntime scr,
            @Reference JaxrsServiceRuntime runtime, @Reference SessionStore sessions) {
        this(config, new RestReadiness(context, scr, runtime, Clock.systemUTC()), sessions, null);
    }

    /** {@code jaas} lists the realms; null for the JVM's JAAS configuration (Karaf's, with its realms). */
    AuthenticationFilter(Config config, RestReadiness resources, SessionStore sessions, Configuration jaas) {
        this.resources = resources;
        this.sessions = sessions;
        this.realmLogin = new RealmLogin(jaas);
        modified(config);
    }

    /**
     * Called once by the JAX-RS runtime with a proxy that stands for the servlet request being filtered (CXF sets it
     * before each request filter runs); the address of the client comes from it.
     */
    @Context
    public void setServletRequest(HttpServletRequest request) {
        this.servletRequest = request;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindLoginReady(LoginReady ready) {
        loginReady = true;
    }

    void unbindLoginReady(LoginReady ready) {
        loginReady = false;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindUsers(UserService service) {
        users = service;
    }

    void unbindUsers(UserService service) {
        if (users == service) {
            users = null;
        }
    }

    @Modified
    void modified(Config config) {
        realm = config.realm();
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!loginReady || !resources.ready()) {
            request.abortWith(Response.fromResponse(problem(503, "OpenDPM is starting", "Logins are possible once"
                    + " the database is ready and an administrator exists; if this lasts, see the server log"))
                    .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS).build());
            return;
        }
        if (HttpMethod.POST.equals(request.getMethod()) && SESSION_PATH.equals(request.getUriInfo().getPath())) {
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header != null) {
            basic(request, header);
            return;
        }
        Cookie cookie = request.getCookies().get(SessionCookie.NAME);
        if (cookie != null) {
            session(request, cookie.getValue());
            return;
        }
        request.abortWith(unauthorized(request, "Credentials are required (HTTP Basic, or the console's sign-in)"));
    }

    private void session(ContainerRequestContext request, String id) {
        Optional<SessionStore.Session> found = sessions.find(id);
        if (found.isEmpty()) {
            request.abortWith(unauthorized(request, "The session has ended; sign in again"));
            return;
        }
        SessionStore.Session session = found.get();
        UserService current = users;
        if (current == null) {
            request.abortWith(problem(503, "Database unavailable", "The console's session cannot be checked while"
                    + " the database is away"));
            return;
        }
        Optional<Set<Role>> stored;
        try {
            stored = current.find(session.user()).map(User::roles);
        } catch (StoreUnavailableException e) {
            request.abortWith(problem(503, "Database unavailable", e.getMessage()));
            return;
        }
        if (!stored.equals(Optional.of(session.storedRoles()))) {
            // Deleted, or given other roles: the roles of the sign-in no longer hold.
            sessions.end(id);
            LOG.info("Console session of user '{}' ended: the user was {}", session.user(), stored.isEmpty()
                    ? "deleted"
                    : "given other roles");
            request.abortWith(unauthorized(request, "The session has ended (the user's roles changed); sign in"
                    + " again"));
            return;
        }
        if (!SAFE.contains(request.getMethod()) && !sameToken(session.csrfToken(), request.getHeaderString(
                SessionCookie.CSRF_HEADER))) {
            LOG.info("Change {} {} by user '{}' without the session's CSRF token refused", request.getMethod(),
                    request.getUriInfo().getPath(), session.user());
            request.abortWith(problem(403, "CSRF token missing or wrong", "A change made with the console's session"
                    + " must carry the session's token in " + SessionCookie.CSRF_HEADER));
            return;
        }
        authenticated(request, session.user(), session.roles(), SESSION_AUTH);
    }

    private static boolean sameToken(String expected, String given) {
        return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(
                StandardCharsets.UTF_8));
    }

    private void basic(ContainerRequestContext request, String header) {
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            request.abortWith(unauthorized(request, "Credentials are required (HTTP Basic)"));
            return;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            request.abortWith(unauthorized(request, "The Authorization header is not valid Base64"));
            return;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            request.abortWith(unauthorized(request, "The Authorization header has no user:password pair"));
            return;
        }
        String user = decoded.substring(0, colon);
        char[] password = decoded.substring(colon + 1).toCharArray();
        String address = clientAddress();
        Set<String> roles;
        try {
            roles = realmLogin.login(realm, user, password, address);
        } catch (LoginThrottledException e) {
            // The throttle logged when it began; each refused attempt is not worth a line.
            LOG.debug("REST login for user '{}' from {} throttled", user, address);
            request.abortWith(throttled(e));
            return;
        } catch (FailedLoginException e) {
            LOG.info("REST login failed for user '{}' from {}", user, address);
            request.abortWith(unauthorized(request, "Wrong user name or password"));
            return;
        } catch (LoginException e) {
            if (RealmLogin.causedByStore(e)) {
                request.abortWith(problem(503, "Database unavailable", e.getMessage()));
            } else {
                LOG.warn("REST login for user '{}' could not be checked: {}", user, e.getMessage());
                request.abortWith(unauthorized(request, "Login failed: " + e.getMessage()));
            }
            return;
        }
        authenticated(request, user, roles, SecurityContext.BASIC_AUTH);
    }

    /** The remote address of the connection being filtered; null outside a servlet request. */
    private String clientAddress() {
        HttpServletRequest servlet = servletRequest;
        return servlet == null ? null : servlet.getRemoteAddr();
    }

    private static void authenticated(ContainerRequestContext request, String user, Set<String> roles,
            String scheme) {
        boolean secure = request.getSecurityContext() != null && request.getSecurityContext().isSecure();
        request.setSecurityContext(new SecurityContext() {
            @Override
            public Principal getUserPrincipal() {
                return () -> user;
            }

            @Override
            public boolean isUserInRole(String role) {
                return roles.contains(role);
            }

            @Override
            public boolean isSecure() {
                return secure;
            }

            @Override
            public String getAuthenticationScheme() {
                return scheme;
            }
        });
    }

    /** 429 with the time the realm asks the client to wait. */
    public static Response throttled(LoginThrottledException e) {
        return Response.fromResponse(problem(429, "Too many failed logins", e.getMessage()))
                .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds())).build();
    }

    private static Response unauthorized(ContainerRequestContext request, String detail) {
        Response.ResponseBuilder r = Response.fromResponse(problem(401, "Unauthorized", detail));
        if (request.getHeaderString("X-Requested-With") == null) {
            r.header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"OpenDPM\", charset=\"UTF-8\"");
        }
        return r.build();
    }

    private static Response problem(int status, String title, String detail) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new Problem(status, title, detail, null)).build();
    }

}
