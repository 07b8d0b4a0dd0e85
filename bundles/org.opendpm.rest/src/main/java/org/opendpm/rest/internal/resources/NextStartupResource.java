package org.opendpm.rest.internal.resources;

import java.util.List;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.opendpm.api.ValidationException;
import org.opendpm.api.packages.NextStartupService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.PendingRunDto;
import org.opendpm.rest.internal.dto.PendingRunInputDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Execute At Next Startup (EXE-11) per machine: what waits, queue, cancel. */
@Component(service = NextStartupResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("machines/{id}/next-startup")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "packages")
public class NextStartupResource {

    private final NextStartupService queue;
    @Activate
    public NextStartupResource(@Reference NextStartupService queue) {
        this.queue = queue;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The package scenarios waiting for the machine's next startup, oldest first")
    public List<PendingRunDto> pending(@PathParam("id") String id) {
        return queue.pending(InventoryParams.id("id", id)).stream().map(PendingRunDto::of).toList();
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Queue a package scenario (one with a Package tab) for the machine's next startup: it runs"
            + " when the agent of its installed OS next connects. 409 when 100 already wait; 400 for a scenario"
            + " without a Package tab")
    public Response queue(@PathParam("id") String id, PendingRunInputDto body, @Context SecurityContext security) {
        SettingsResource.required(body);
        if (body.scenarioId() == null) {
            throw new ValidationException("scenarioId", "'scenarioId' is required");
        }
        String who = security == null || security.getUserPrincipal() == null
                ? "rest"
                : security.getUserPrincipal().getName();
        return Response.status(201).entity(PendingRunDto.of(queue.queue(InventoryParams.id("id", id),
                body.scenarioId(), who))).build();
    }

    @DELETE
    @Path("{entry}")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Cancel one waiting package scenario of the machine")
    public Response cancel(@PathParam("id") String id, @PathParam("entry") String entry) {
        queue.cancel(InventoryParams.id("id", id), InventoryParams.id("entry", entry));
        return Response.noContent().build();
    }
}
