package org.opendpm.rest.internal.resources;

import java.util.List;
import java.util.Optional;

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

import org.opendpm.api.ValidationException;
import org.opendpm.api.files.FileOperationService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.FileOperationDto;
import org.opendpm.rest.internal.dto.FileSendDto;
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
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Sending a file to machines (FIL-1) and the File Operation Result List (FIL-2). */
@Component(service = FileOperationResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("file-operations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "files")
public class FileOperationResource {

    static final int MAX_LIMIT = 1000;

    /** Null while file distribution is not running: REST runs without it, and says so. */
    private final FileOperationService files;

    @Activate
    public FileOperationResource(
            @Reference(cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) FileOperationService files) {
        this.files = files;
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Send a file of the server's file folder into a folder on machines: {\"machineIds\":[...],"
            + " \"file\":\"setup.sh\", \"targetFolder\":\"/opt/x\", \"permissions\":\"750\"}; each machine gets an"
            + " operation that finishes in the background",
            responses = {
                    @ApiResponse(responseCode = "202", description = "One running operation per machine, in the"
                            + " order of machineIds",
                            content = @Content(array = @ArraySchema(schema = @Schema(
                                    implementation = FileOperationDto.class)))),
                    @ApiResponse(responseCode = "400", description = "A missing or bad field, named",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "404", description = "An unknown machine or server file",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "409", description = "A machine has no connected agent",
                            content = @Content(schema = @Schema(implementation = Problem.class))) })
    public Response send(FileSendDto body, @Context SecurityContext security) {
        SettingsResource.required(body);
        List<Long> ids = ExecutionResource.machineIds(body.machineIds());
        String file = FileResource.name("file", body.file());
        String folder = required("targetFolder", body.targetFolder());
        String permissions = permissions("permissions", body.permissions());
        List<FileOperationDto> started = FileResource.service(files).send(ids, file, folder, permissions,
                ExecutionResource.user(security)).stream().map(FileOperationDto::of).toList();
        return Response.accepted(started).build();
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The File Operation Result List (FIL-2), newest first, optionally of one machine")
    public List<FileOperationDto> list(@QueryParam("machineId") String machineId, @QueryParam("offset") String offset,
            @QueryParam("limit") String limit) {
        Optional<Long> machine = ResultResource.optionalId("machineId", machineId);
        int off = InventoryParams.integer("offset", offset, 0, 0, Integer.MAX_VALUE);
        int lim = InventoryParams.integer("limit", limit, 100, 1, MAX_LIMIT);
        return FileResource.service(files).operations(machine, off, lim).stream().map(FileOperationDto::of).toList();
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One file operation")
    public FileOperationDto get(@PathParam("id") String id) {
        return FileOperationDto.of(FileResource.service(files).operation(ScenarioParams.id("id", id)));
    }

    static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new ValidationException(field, field + " is required");
        }
        return value;
    }

    /** POSIX permissions as three octal digits, as the agent applies them. */
    static String permissions(String field, String value) {
        String p = required(field, value).strip();
        if (!p.matches("[0-7]{3}")) {
            throw new ValidationException(field, field + " must be three octal digits such as 640 or 755, not '"
                    + value + "'");
        }
        return p;
    }
}
