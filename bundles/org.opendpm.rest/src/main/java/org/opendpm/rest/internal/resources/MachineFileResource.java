package org.opendpm.rest.internal.resources;

import java.util.List;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.opendpm.api.files.FileOperationService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.FileDeleteDto;
import org.opendpm.rest.internal.dto.FileOperationDto;
import org.opendpm.rest.internal.dto.FileRemoteDto;
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

/** Files on one machine, through its agent (FIL-1): listed by viewers, deleted by operators. */
@Component(service = MachineFileResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("machines/{id}/files")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "files")
public class MachineFileResource {

    /** Null while file distribution is not running: REST runs without it, and says so. */
    private final FileOperationService files;

    @Activate
    public MachineFileResource(
            @Reference(cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) FileOperationService files) {
        this.files = files;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "List a folder on the machine, asking its agent (at most 30 s); 409 when the machine has no"
            + " connected agent, 502 when the agent reports an error (no such folder, permission denied)")
    public List<FileRemoteDto> list(@PathParam("id") String id,
            @Parameter(description = "the folder on the machine",
                    required = true) @QueryParam("folder") String folder) {
        long machineId = ScenarioParams.id("id", id);
        String f = FileOperationResource.required("folder", folder);
        return FileResource.service(files).list(machineId, f).stream().map(FileRemoteDto::of).toList();
    }

    @POST
    @Path("delete")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Delete one file on the machine: {\"path\":\"/opt/x/old.sh\"}; the operation finishes in the"
            + " background and is listed in the File Operation Result List",
            responses = {
                    @ApiResponse(responseCode = "202", description = "The running operation", content = @Content(
                            schema = @Schema(implementation = FileOperationDto.class))),
                    @ApiResponse(responseCode = "400", description = "path missing", content = @Content(
                            schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "404", description = "No such machine", content = @Content(
                            schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "409", description = "The machine has no connected agent",
                            content = @Content(schema = @Schema(implementation = Problem.class))) })
    public Response delete(@PathParam("id") String id, FileDeleteDto body, @Context SecurityContext security) {
        SettingsResource.required(body);
        long machineId = ScenarioParams.id("id", id);
        String path = FileOperationResource.required("path", body.path());
        return Response.accepted(FileOperationDto.of(FileResource.service(files).delete(machineId, path,
                ExecutionResource.user(security)))).build();
    }
}
