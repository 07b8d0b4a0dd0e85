package org.opendpm.rest.internal.resources;

import java.io.InputStream;
import java.util.List;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.ServiceUnavailableException;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.files.FileOperationService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.FileOnServerDto;
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
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The server's file folder, the files ready to be sent (FIL-1): read by viewers, changed by operators. */
@Component(service = FileResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("files")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "files")
public class FileResource {

    /** Null while file distribution is not running: REST runs without it, and says so. */
    private final FileOperationService files;

    @Activate
    public FileResource(
            @Reference(cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) FileOperationService files) {
        this.files = files;
    }

    static FileOperationService service(FileOperationService files) {
        if (files == null) {
            throw new ServiceUnavailableException("File distribution is not running on this server (no"
                    + " FileOperationService)");
        }
        return files;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The files of the server's file folder by name, with size, modification time and SHA-256")
    public List<FileOnServerDto> list() {
        return service(files).serverFiles().stream().map(FileOnServerDto::of).toList();
    }

    @PUT
    @Path("{name}")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Store the body (application/octet-stream) as a file of the server's file folder, replacing"
            + " one of that name; the name is one plain file name, never a path",
            responses = {
                    @ApiResponse(responseCode = "201", description = "Stored as a new file", content = @Content(
                            schema = @Schema(implementation = FileOnServerDto.class))),
                    @ApiResponse(responseCode = "200", description = "Replaced the file of that name",
                            content = @Content(schema = @Schema(implementation = FileOnServerDto.class))),
                    @ApiResponse(responseCode = "400", description = "A bad name; the field name is named",
                            content = @Content(schema = @Schema(implementation = Problem.class))) })
    public Response put(@PathParam("name") String name,
            @RequestBody(description = "the file's bytes", required = true, content = @Content(
                    mediaType = MediaType.APPLICATION_OCTET_STREAM, schema = @Schema(type = "string",
                            format = "binary"))) InputStream body) {
        FileOperationService service = service(files);
        String checked = name("name", name);
        boolean existed = service.serverFiles().stream().anyMatch(f -> f.name().equals(checked));
        FileOnServerDto stored = FileOnServerDto.of(service.storeServerFile(checked, body == null
                ? InputStream.nullInputStream()
                : body));
        return Response.status(existed ? 200 : 201).entity(stored).build();
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Remove a file from the server's file folder",
            responses = {
                    @ApiResponse(responseCode = "204", description = "Removed"),
                    @ApiResponse(responseCode = "404", description = "There is no file of that name",
                            content = @Content(schema = @Schema(implementation = Problem.class))) })
    public Response delete(@PathParam("name") String name) {
        String checked = name("name", name);
        if (!service(files).deleteServerFile(checked)) {
            throw new NotFoundException("There is no file '" + checked + "' in the server's file folder");
        }
        return Response.noContent().build();
    }

    /**
     * A plain file name. The service keeps its folder a jail as well; checking here too means a path never reaches it
     * and the answer names the field the client wrote.
     */
    static String name(String field, String name) {
        if (name == null || name.isBlank()) {
            throw new ValidationException(field, field + " is required: the name of a file in the server's file"
                    + " folder");
        }
        if (name.length() > FileOperationService.MAX_NAME) {
            throw new ValidationException(field, "The file name has " + name.length() + " characters; at most "
                    + FileOperationService.MAX_NAME + " are allowed");
        }
        if (name.equals(".") || name.equals("..") || name.chars().anyMatch(c -> c == '/' || c == '\\' || c < 0x20)) {
            throw new ValidationException(field, "'" + name + "' is not a plain file name: no folders, no '/' or"
                    + " '\\', no control characters");
        }
        return name;
    }
}
