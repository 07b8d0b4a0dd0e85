package org.opendpm.rest.internal.resources;

import java.util.List;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.ServiceUnavailableException;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.agent.AgentLink;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.AgentDto;
import org.opendpm.rest.internal.dto.Problem;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The connected agents, read by viewers, and their credentials, withdrawn by admins. */
@Component(service = AgentResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("agents")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "agents")
public class AgentResource {

    /** Null while the agent link is not running: REST runs without it, and says so. */
    private final AgentLink link;

    @Activate
    public AgentResource(
            @Reference(cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) AgentLink link) {
        this.link = link;
    }

    static AgentLink service(AgentLink link) {
        if (link == null) {
            throw new ServiceUnavailableException("The agent link is not running on this server (no AgentLink)");
        }
        return link;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The connected, authenticated agents ordered by MAC, with their machine (null while it is"
            + " only under New Machine), address, OS, agent version and last heartbeat")
    public List<AgentDto> list() {
        return service(link).agents().stream().map(AgentDto::of).toList();
    }

    @DELETE
    @Path("{mac}/credential")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Withdraw the credential issued for this MAC and close its agent's session, so an agent can"
            + " register for it again (after the machine was replaced)",
            responses = {
                    @ApiResponse(responseCode = "204", description = "Withdrawn"),
                    @ApiResponse(responseCode = "400", description = "Not a MAC address; the field mac is named",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "404", description = "No credential was issued for this MAC",
                            content = @Content(schema = @Schema(implementation = Problem.class))) })
    public Response resetCredential(
            @Parameter(description = "any spelling: 00-50-56-AA-BB-CC, 00:50:56:aa:bb:cc, 0050.56aa.bbcc,"
                    + " 005056aabbcc") @PathParam("mac") String mac) {
        // The link reads every spelling of a MAC and refuses a bad one naming the field mac.
        if (!service(link).resetCredential(mac)) {
            throw new NotFoundException("No agent credential was issued for MAC " + mac);
        }
        return Response.noContent().build();
    }

    @DELETE
    @Path("connections/{machineId}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Close the connection of the machine's agent now, as a network loss would: the agent"
            + " reconnects as it does after one, and a transfer in progress resumes from its last confirmed chunk",
            responses = {
                    @ApiResponse(responseCode = "204", description = "Closed"),
                    @ApiResponse(responseCode = "400", description = "Not a machine id; the field machineId is named",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "404", description = "The machine has no agent connected",
                            content = @Content(schema = @Schema(implementation = Problem.class))) })
    public Response disconnect(@PathParam("machineId") String machineId) {
        long id = ScenarioParams.id("machineId", machineId);
        if (!service(link).disconnect(id)) {
            throw new NotFoundException("Machine " + id + " has no agent connected");
        }
        return Response.noContent().build();
    }
}
