package org.opendpm.rest.internal.security;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.annotation.security.PermitAll;
import javax.annotation.security.RolesAllowed;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.servlet.http.HttpServletRequest;
import javax.ws.rs.Consumes;
import javax.ws.rs.CookieParam;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.opendpm.api.ValidationException;
import org.opendpm.api.security.LoginThrottledException;
import org.opendpm.api.security.Role;
import org.opendpm.api.security.User;
import org.opendpm.api.security.UserService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.LoginDto;
import org.opendpm.rest.internal.dto.Problem;
import org.opendpm.rest.internal.dto.SessionDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * The console's sign-in, who-am-I and sign-out. The password is checked by the same JAAS realm as HTTP Basic, so
 * the same throttle counts the failures, by user name and by the client's address. The session remembers the user's
 * stored roles, so that {@link AuthenticationFilter} can end it once they change or the user is deleted.
 */
@Component(service = SessionResource.class, configurationPid = "org.opendpm.rest")
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path(AuthenticationFilter.SESSION_PATH)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "session")
public class SessionResource {

    private static final Logger LOG = LoggerFactory.getLogger(SessionResource.class);
    /** Longer names and passwords are not tried: no user has one, and each costs the realm a hash. */
    static final int MAX_LENGTH = 1024;
    private static final List<String> OPENDPM_ROLES = List.of(Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER);

    private final SessionStore sessions;
    private final UserService users;
    private final RealmLogin realmLogin;
    private volatile String realm;

    @Activate
    public SessionResource(AuthenticationFilter.Config config, @Reference SessionStore sessions,
            @Reference UserService users) {
        this(config, sessions, users, null);
    }

    SessionResource(AuthenticationFilter.Config config, SessionStore sessions, UserService users,
            javax.security.auth.login.Configuration jaas) {
        this.sessions = sessions;
        this.users = users;
        this.realmLogin = new RealmLogin(jaas);
        modified(config);
    }

    @Modified
    void modified(AuthenticationFilter.Config config) {
        realm = config.realm();
    }

    @POST
    @PermitAll
    @Operation(summary = "Sign in (the console): the password is checked by the realm, throttled as HTTP Basic is;"
            + " the answer sets the session cookie (HttpOnly, SameSite=Strict, Path /opendpm) and gives the CSRF"
            + " token that every change made with the cookie must send in X-CSRF-Token",
            security = {},
            responses = {
                    @ApiResponse(responseCode = "201", description = "Signed in",
                            content = @Content(schema = @Schema(implementation = SessionDto.class))),
                    @ApiResponse(responseCode = "400", description = "user or password missing or too long",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "401", description = "Wrong user name or password",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "429", description = "Too many failed logins; Retry-After says"
                            + " when to try again",
                            content = @Content(schema = @Schema(
                                    implementation = Problem.class))) })
    public Response login(LoginDto body, @Context HttpServletRequest request, @Context SecurityContext security) {
        String user = field("user", body == null ? null : body.user());
        String password = field("password", body == null ? null : body.password());
        String address = request == null ? null : request.getRemoteAddr();
        Set<String> roles;
        try {
            roles = realmLogin.login(realm, user, password.toCharArray(), address);
        } catch (LoginThrottledException e) {
            LOG.debug("Console sign-in for user '{}' from {} throttled", user, address);
            return AuthenticationFilter.throttled(e);
        } catch (FailedLoginException e) {
            LOG.info("Console sign-in failed for user '{}' from {}", user, address);
            return problem(401, "Unauthorized", "Wrong user name or password");
        } catch (LoginException e) {
            if (RealmLogin.causedByStore(e)) {
                return problem(503, "Database unavailable", e.getMessage());
            }
            LOG.warn("Console sign-in for user '{}' could not be checked: {}", user, e.getMessage());
            return problem(401, "Unauthorized", "Login failed: " + e.getMessage());
        }
        Optional<Set<Role>> stored = users.find(user).map(User::roles);
        if (stored.isEmpty()) {
            // Deleted between the realm's check and now.
            return problem(401, "Unauthorized", "Wrong user name or password");
        }
        SessionStore.Created created = sessions.create(user, roles, stored.get());
        LOG.info("User '{}' signed in to the console from {}", user, address);
        return Response.status(201).header(HttpHeaders.SET_COOKIE, SessionCookie.set(created.id(), secure(security)))
                .header(HttpHeaders.CACHE_CONTROL, "no-store").entity(dto(created.session())).build();
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Who is signed in, with which roles, and (for the console's session) its CSRF token")
    public Response whoAmI(@CookieParam(SessionCookie.NAME) String id, @Context SecurityContext security) {
        Optional<SessionStore.Session> session = AuthenticationFilter.SESSION_AUTH.equals(security
                .getAuthenticationScheme()) ? sessions.find(id) : Optional.empty();
        SessionDto dto = session.map(SessionResource::dto).orElseGet(() -> new SessionDto(security
                .getUserPrincipal().getName(), rolesOf(security), null));
        return Response.ok(dto).header(HttpHeaders.CACHE_CONTROL, "no-store").build();
    }

    @DELETE
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Sign out: the session ends on the server and the cookie is cleared")
    public Response logout(@CookieParam(SessionCookie.NAME) String id, @Context SecurityContext security) {
        if (sessions.end(id)) {
            LOG.info("User '{}' signed out of the console", security.getUserPrincipal().getName());
        }
        return Response.noContent().header(HttpHeaders.SET_COOKIE, SessionCookie.clear(secure(security))).build();
    }

    private static SessionDto dto(SessionStore.Session s) {
        return new SessionDto(s.user(), OPENDPM_ROLES.stream().filter(s.roles()::contains).sorted().toList(),
                s.csrfToken());
    }

    /** The OpenDPM roles a request holds (the realm's others, Karaf's shell roles, are not the console's concern). */
    private static List<String> rolesOf(SecurityContext security) {
        return OPENDPM_ROLES.stream().filter(security::isUserInRole).sorted().toList();
    }

    private static boolean secure(SecurityContext security) {
        return security != null && security.isSecure();
    }

    private static String field(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw new ValidationException(name, name + " is required");
        }
        if (value.length() > MAX_LENGTH) {
            throw new ValidationException(name, name + " is longer than " + MAX_LENGTH + " characters");
        }
        return value;
    }

    private static Response problem(int status, String title, String detail) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new Problem(status, title, detail, null)).build();
    }
}
