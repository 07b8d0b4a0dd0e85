package org.opendpm.rest.internal.resources;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.GET;
import javax.ws.rs.PATCH;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;

import org.opendpm.api.ValidationException;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.SettingsDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The server's Detail Setting: read by viewers, changed by admins. */
@Component(service = SettingsResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("settings")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "settings")
public class SettingsResource {

    private final ServerSettingsService settings;

    @Activate
    public SettingsResource(@Reference ServerSettingsService settings) {
        this.settings = settings;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The server settings")
    public SettingsDto get() {
        return SettingsDto.of(settings.get());
    }

    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Replace all server settings; every field is required")
    public SettingsDto put(SettingsDto body) {
        return SettingsDto.of(settings.update(required(body).toSettings()));
    }

    @PATCH
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Change some server settings; fields left out keep their value")
    public SettingsDto patch(SettingsDto body) {
        return SettingsDto.of(settings.update(required(body).mergeInto(settings.get())));
    }

    static <T> T required(T body) {
        if (body == null) {
            throw new ValidationException(null, "A JSON body is required");
        }
        return body;
    }
}
