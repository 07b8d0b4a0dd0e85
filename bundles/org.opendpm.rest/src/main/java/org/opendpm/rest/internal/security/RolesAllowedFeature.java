package org.opendpm.rest.internal.security;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;

import javax.annotation.Priority;
import javax.annotation.security.PermitAll;
import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Priorities;
import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.container.DynamicFeature;
import javax.ws.rs.container.ResourceInfo;
import javax.ws.rs.core.FeatureContext;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.dto.Problem;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtension;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsName;

/**
 * Enforces {@code @RolesAllowed} on resource methods (method first, then class). A method with neither
 * {@code @RolesAllowed} nor {@code @PermitAll} is refused to everyone, so a forgotten annotation fails closed.
 */
@Component(service = DynamicFeature.class)
@JaxrsExtension
@JaxrsName(OpenDpmApplication.ROLE_CHECK_NAME)
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
public class RolesAllowedFeature implements DynamicFeature {

    @Override
    public void configure(ResourceInfo info, FeatureContext context) {
        Method m = info.getResourceMethod();
        if (m == null || m.isAnnotationPresent(PermitAll.class)) {
            return;
        }
        RolesAllowed allowed = m.getAnnotation(RolesAllowed.class);
        if (allowed == null) {
            allowed = info.getResourceClass().getAnnotation(RolesAllowed.class);
        }
        List<String> roles = allowed == null ? List.of() : Arrays.asList(allowed.value());
        context.register(new RoleCheck(roles, m.getDeclaringClass().getSimpleName() + "." + m.getName()));
    }

    @Priority(Priorities.AUTHORIZATION)
    static final class RoleCheck implements ContainerRequestFilter {
        private final List<String> roles;
        private final String operation;

        RoleCheck(List<String> roles, String operation) {
            this.roles = roles;
            this.operation = operation;
        }

        @Override
        public void filter(javax.ws.rs.container.ContainerRequestContext request) {
            var security = request.getSecurityContext();
            if (security != null && roles.stream().anyMatch(security::isUserInRole)) {
                return;
            }
            String detail = roles.isEmpty()
                    ? "This operation is not open to any role"
                    : "This operation needs the role " + String.join(" or ", roles);
            request.abortWith(Response.status(403).type(MediaType.APPLICATION_JSON)
                    .entity(new Problem(403, "Forbidden", detail, null)).build());
        }

        @Override
        public String toString() {
            return "RoleCheck " + operation + " " + roles;
        }
    }
}
