package org.opendpm.rest.internal.resources;

import java.util.List;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.ServiceUnavailableException;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.opendpm.api.images.ImageService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.ImageDescriptionDto;
import org.opendpm.rest.internal.dto.ImageDto;
import org.opendpm.rest.internal.dto.ImageVerificationDto;
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
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The image folder (IMG-1, IMG-2): read by viewers, verified by operators, deleted by admins. */
@Component(service = ImageResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("images")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "images")
public class ImageResource {

    /** Null while the image store is not running: REST runs without it, and says so. */
    private final ImageService images;

    @Activate
    public ImageResource(
            @Reference(cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) ImageService images) {
        this.images = images;
    }

    private ImageService service() {
        if (images == null) {
            throw new ServiceUnavailableException("The image store is not running on this server (no ImageService)");
        }
        return images;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The images of the image folder by name, each with its header's summary, or the problem when"
            + " the file is not a readable complete image; images being written are not listed")
    public List<ImageDto> list() {
        return service().list().stream().map(ImageDto::of).toList();
    }

    @GET
    @Path("{name}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Every header field of an image: format version, UUID, creation time, chunk size, Deploy-OS,"
            + " model, source machine, disks with partitions, extents; and its chunk, hole and stored-byte counts",
            responses = {
                    @ApiResponse(responseCode = "200", description = "The image", content = @Content(
                            schema = @Schema(implementation = ImageDescriptionDto.class))),
                    @ApiResponse(responseCode = "400", description = "Not a plain image name",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "404", description = "No image of that name",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "409", description = "The file is not a readable complete image",
                            content = @Content(schema = @Schema(implementation = Problem.class))) })
    public ImageDescriptionDto get(@PathParam("name") String name) {
        return ImageDescriptionDto.of(service().describe(name));
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete an image; refused while a restore or a verification reads it",
            responses = {
                    @ApiResponse(responseCode = "204", description = "Deleted"),
                    @ApiResponse(responseCode = "400", description = "Not a plain image name",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "404", description = "No image of that name",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "409", description = "In use; the detail names what uses it",
                            content = @Content(schema = @Schema(implementation = Problem.class))) })
    public Response delete(@PathParam("name") String name) {
        service().delete(name);
        return Response.noContent().build();
    }

    @POST
    @Path("{name}/verify")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Check every chunk of an image without restoring it (IMG-2); answers when done, listing each"
            + " bad chunk with its disk and disk offset",
            responses = {
                    @ApiResponse(responseCode = "200", description = "Checked; ok says whether every chunk is good",
                            content = @Content(schema = @Schema(implementation = ImageVerificationDto.class))),
                    @ApiResponse(responseCode = "400", description = "Not a plain image name",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "404", description = "No image of that name",
                            content = @Content(schema = @Schema(implementation = Problem.class))) })
    public ImageVerificationDto verify(@PathParam("name") String name) {
        return ImageVerificationDto.of(service().verify(name));
    }
}
