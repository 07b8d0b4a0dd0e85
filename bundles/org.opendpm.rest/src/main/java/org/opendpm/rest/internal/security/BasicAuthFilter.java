package org.opendpm.rest.internal.security;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Clock;
import java.util.Base64;
import java.util.Set;
import java.util.stream.Collectors;

import javax.annotation.Priority;
import javax.security.auth.Subject;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;
import javax.servlet.http.HttpServletRequest;
import javax.ws.rs.Priorities;
import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.container.PreMatching;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.opendpm.api.StoreUnavailableException;
import org.opendpm.api.security.ClientAddressCallback;
import org.opendpm.api.security.LoginReady;
import org.opendpm.api.security.LoginThrottledException;
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
 * HTTP Basic authentication of every request through the JAAS realm (by default {@code opendpm}). A request without
 * valid credentials gets 401 before any resource runs. Until {@link LoginReady} is registered (the database is ready
 * and an administrator exists) and every resource has joined the application ({@link RestReadiness}) every request
 * gets 503 "OpenDPM is starting" with {@code Retry-After} instead: a login refused then could succeed a moment later,
 * so it must not be told its credentials are wrong, and a request answered then could be followed by a 404 while the
 * application is rebuilt for a resource that joins later.
 *
 * <p>The realm throttles failed logins per user name and per client address (the remote address of the HTTP
 * connection, told through {@link ClientAddressCallback}; behind a reverse proxy that is the proxy's). A throttled
 * login gets 429 "Too many failed logins" with {@code Retry-After}, its credentials unchecked.
 */
@Component(service = ContainerRequestFilter.class, configurationPid = "org.opendpm.rest")
@Designate(ocd = BasicAuthFilter.Config.class)
@JaxrsExtension
@JaxrsName(OpenDpmApplication.AUTHENTICATION_NAME)
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class BasicAuthFilter implements ContainerRequestFilter {

    @ObjectClassDefinition(name = "OpenDPM REST API")
    public @interface Config {
        @AttributeDefinition(description = "JAAS realm that checks REST credentials")
        String realm() default "opendpm";
    }

    private static final Logger LOG = LoggerFactory.getLogger(BasicAuthFilter.class);

    /** Seconds a client is asked to wait while OpenDPM starts; start-up takes a few. */
    static final String RETRY_AFTER_SECONDS = "1";

    private final Configuration jaas;
    private volatile String realm;
    private volatile boolean loginReady;
    private final RestReadiness resources;
    private volatile HttpServletRequest servletRequest;

    @Activate
    public BasicAuthFilter(Config config, BundleContext context, @Reference ServiceComponentRuntime scr,
            @Reference JaxrsServiceRuntime runtime) {
        this(config, new RestReadiness(context, scr, runtime, Clock.systemUTC()), null);
    }

    /** {@code jaas} lists the realms; null for the JVM's JAAS configuration (Karaf's, with its realms). */
    BasicAuthFilter(Config config, RestReadiness resources, Configuration jaas) {
        this.resources = resources;
        this.jaas = jaas;
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
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            request.abortWith(unauthorized("Credentials are required (HTTP Basic)"));
            return;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            request.abortWith(unauthorized("The Authorization header is not valid Base64"));
            return;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            request.abortWith(unauthorized("The Authorization header has no user:password pair"));
            return;
        }
        String user = decoded.substring(0, colon);
        char[] password = decoded.substring(colon + 1).toCharArray();
        HttpServletRequest servlet = servletRequest;
        String address = servlet == null ? null : servlet.getRemoteAddr();
        Subject subject = new Subject();
        try {
            LoginContext login = new LoginContext(realm, subject, callbacks -> {
                for (var cb : callbacks) {
                    if (cb instanceof NameCallback n) {
                        n.setName(user);
                    } else if (cb instanceof PasswordCallback p) {
                        p.setPassword(password);
                    } else if (cb instanceof ClientAddressCallback a) {
                        a.setAddress(address);
                    } else {
                        throw new UnsupportedCallbackException(cb);
                    }
                }
            }, jaas);
            login.login();
        } catch (LoginThrottledException e) {
            // The throttle logged when it began; each refused attempt is not worth a line.
            LOG.debug("REST login for user '{}' from {} throttled", user, address);
            request.abortWith(Response.fromResponse(problem(429, "Too many failed logins", e.getMessage()))
                    .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds())).build());
            return;
        } catch (FailedLoginException e) {
            LOG.info("REST login failed for user '{}' from {}", user, address);
            request.abortWith(unauthorized("Wrong user name or password"));
            return;
        } catch (LoginException e) {
            if (causedByStore(e)) {
                request.abortWith(problem(503, "Database unavailable", e.getMessage()));
            } else {
                LOG.warn("REST login for user '{}' could not be checked: {}", user, e.getMessage());
                request.abortWith(unauthorized("Login failed: " + e.getMessage()));
            }
            return;
        }
        Set<String> roles = subject.getPrincipals(RolePrincipal.class).stream().map(Principal::getName)
                .collect(Collectors.toUnmodifiableSet());
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
                return SecurityContext.BASIC_AUTH;
            }
        });
    }

    private static boolean causedByStore(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StoreUnavailableException) {
                return true;
            }
        }
        return false;
    }

    private static Response unauthorized(String detail) {
        return Response.fromResponse(problem(401, "Unauthorized", detail))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"OpenDPM\", charset=\"UTF-8\"").build();
    }

    private static Response problem(int status, String title, String detail) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new Problem(status, title, detail, null)).build();
    }
}
