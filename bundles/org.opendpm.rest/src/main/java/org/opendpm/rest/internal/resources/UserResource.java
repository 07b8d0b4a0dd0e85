package org.opendpm.rest.internal.resources;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.security.Role;
import org.opendpm.api.security.UserService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.NewUserDto;
import org.opendpm.rest.internal.dto.PasswordDto;
import org.opendpm.rest.internal.dto.RolesDto;
import org.opendpm.rest.internal.dto.UserDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Users and roles; admins only. */
@Component(service = UserResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("users")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
@Tag(name = "users")
public class UserResource {

    private final UserService users;

    @Activate
    public UserResource(@Reference UserService users) {
        this.users = users;
    }

    @GET
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Every user with its roles")
    public List<UserDto> list() {
        return users.list().stream().map(UserDto::of).toList();
    }

    @GET
    @Path("{name}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "One user")
    public UserDto get(@PathParam("name") String name) {
        return users.find(name).map(UserDto::of).orElseThrow(() -> new NotFoundException("No user '" + name + "'"));
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Create a user with a password of at least 12 characters and one or more roles")
    public Response create(NewUserDto body) {
        SettingsResource.required(body);
        if (body.password() == null) {
            throw new ValidationException("password", "'password' is required");
        }
        UserDto created = UserDto.of(users.create(body.name(), body.password().toCharArray(), roles(body.roles())));
        return Response.status(201).entity(created).build();
    }

    @PUT
    @Path("{name}/roles")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Set a user's roles")
    public UserDto setRoles(@PathParam("name") String name, RolesDto body) {
        return UserDto.of(users.setRoles(name, roles(SettingsResource.required(body).roles())));
    }

    @PUT
    @Path("{name}/password")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Set a user's password")
    public Response setPassword(@PathParam("name") String name, PasswordDto body) {
        if (SettingsResource.required(body).password() == null) {
            throw new ValidationException("password", "'password' is required");
        }
        users.setPassword(name, body.password().toCharArray());
        return Response.noContent().build();
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete a user; the last admin cannot be deleted")
    public Response delete(@PathParam("name") String name) {
        users.delete(name);
        return Response.noContent().build();
    }

    static Set<Role> roles(List<String> names) {
        if (names == null || names.isEmpty()) {
            throw new ValidationException("roles", "At least one role is required: admin, operator or viewer");
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            int index = i;
            roles.add(Role.parse(n).orElseThrow(() -> new ValidationException("roles[" + index + "]",
                    "Unknown role '" + n + "'; roles are admin, operator and viewer")));
        }
        return roles;
    }
}
