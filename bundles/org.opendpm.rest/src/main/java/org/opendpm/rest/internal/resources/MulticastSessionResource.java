package org.opendpm.rest.internal.resources;

import java.util.List;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.SecurityContext;

import org.opendpm.api.multicast.MulticastSessionService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.MulticastSessionDto;
import org.opendpm.rest.internal.dto.Problem;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * Multicast restore sessions (IMG-3): the Backup/Restore Execution List's sessions, read by viewers, and its Execute
 * Now for operators.
 */
@Component(service = MulticastSessionResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("multicast-sessions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "multicast-sessions")
public class MulticastSessionResource {

    private final MulticastSessionService sessions;

    @Activate
    public MulticastSessionResource(@Reference MulticastSessionService sessions) {
        this.sessions = sessions;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Multicast restore sessions: waiting and running ones, then the latest ended, newest first"
            + " (at most " + MulticastSessionService.MAX_LISTED + "), each with its members, their progress, the"
            + " members dropped with their reason, and the sender's rate",
            responses = @ApiResponse(responseCode = "200", description = "The sessions",
                    content = @Content(array = @ArraySchema(schema = @Schema(
                            implementation = MulticastSessionDto.class)))))
    public List<MulticastSessionDto> list() {
        return sessions.sessions().stream().map(MulticastSessionDto::of).toList();
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One multicast restore session with its members",
            responses = {
                    @ApiResponse(responseCode = "200", description = "The session",
                            content = @Content(schema = @Schema(implementation = MulticastSessionDto.class))),
                    @ApiResponse(responseCode = "404", description = "No session of this id",
                            content = @Content(schema = @Schema(implementation = Problem.class))) })
    public MulticastSessionDto get(@PathParam("id") String id) {
        return MulticastSessionDto.of(sessions.session(ScenarioParams.id("id", id)));
    }

    @POST
    @Path("{id}/start")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Execute Now: start a waiting session with the machines ready in it, whatever its Maximum"
            + " Targets and Maximum Waiting Time say",
            responses = {
                    @ApiResponse(responseCode = "200", description = "The session, running (or failed when its"
                            + " sender could not start)",
                            content = @Content(schema = @Schema(implementation = MulticastSessionDto.class))),
                    @ApiResponse(responseCode = "404", description = "No session of this id",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "409", description = "The session is not waiting (running or"
                            + " ended)", content = @Content(schema = @Schema(implementation = Problem.class))) })
    public MulticastSessionDto start(@PathParam("id") String id, @Context SecurityContext security) {
        return MulticastSessionDto.of(sessions.start(ScenarioParams.id("id", id), ExecutionResource.user(security)));
    }
}
