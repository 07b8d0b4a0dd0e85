package org.opendpm.rest.internal.resources;

import java.io.InputStream;
import java.util.List;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.HeaderParam;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.ServiceUnavailableException;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.hwsetting.HwImageKind;
import org.opendpm.api.hwsetting.HwImageService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.HwImageDto;
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

/**
 * HW setting images (HWS-1), the floppy images and EFI applications a HW Setting tab boots: read by viewers, changed
 * by admins (a firmware image flashes every machine it is given to). The service comes with the HW setting plugin;
 * without it this answers 503 saying so.
 */
@Component(service = HwImageResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("hw-setting-images")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "hw-setting-images")
public class HwImageResource {

    private final HwImageService images;

    @Activate
    public HwImageResource(@Reference(cardinality = ReferenceCardinality.OPTIONAL,
            policyOption = ReferencePolicyOption.GREEDY) HwImageService images) {
        this.images = images;
    }

    private HwImageService images() {
        if (images == null) {
            throw new ServiceUnavailableException("HW setting is not installed (feature"
                    + " opendpm-plugin-scenario-hwsetting)");
        }
        return images;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The registered HW setting images with kind, size and SHA-256")
    public List<HwImageDto> list() {
        return images().list().stream().map(HwImageDto::of).toList();
    }

    @GET
    @Path("{name}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One HW setting image, by name (ignoring case)")
    public HwImageDto get(@PathParam("name") String name) {
        return HwImageDto.of(images().find(name).orElseThrow(() -> new NotFoundException("No HW setting image "
                + name)));
    }

    @POST
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Register the body (application/octet-stream) as a HW setting image: kind floppy (at most"
            + " 1,474,560 bytes, bootable) or efi (a PE EFI application for x64 or aa64); name at most 8 letters,"
            + " digits and . _ -",
            responses = {
                    @ApiResponse(responseCode = "201", description = "Registered", content = @Content(
                            schema = @Schema(implementation = HwImageDto.class))),
                    @ApiResponse(responseCode = "400", description = "A bad name, kind or content; the field is"
                            + " named and nothing is stored",
                            content = @Content(
                                    schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "409", description = "The name is in use", content = @Content(
                            schema = @Schema(implementation = Problem.class))) })
    public Response create(@QueryParam("name") String name, @QueryParam("kind") String kind,
            @HeaderParam(HttpHeaders.CONTENT_LENGTH) Long length,
            @RequestBody(description = "the image's bytes", required = true, content = @Content(
                    mediaType = MediaType.APPLICATION_OCTET_STREAM, schema = @Schema(type = "string",
                            format = "binary"))) InputStream body) {
        HwImageService service = images();
        HwImageKind k = HwImageKind.ofKey(kind).orElseThrow(() -> new ValidationException("kind", "kind must be"
                + " floppy or efi"));
        long limit = k == HwImageKind.FLOPPY ? HwImageService.MAX_FLOPPY_BYTES : HwImageService.MAX_EFI_BYTES;
        if (length != null && length > limit) {
            // Refused before a byte is read; the service bounds the stream itself for chunked uploads.
            throw new ValidationException("content", "The body has " + length + " bytes; a " + k.key()
                    + " image has at most " + limit);
        }
        return Response.status(201).entity(HwImageDto.of(service.create(name, k, body == null
                ? InputStream.nullInputStream()
                : body))).build();
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Remove a HW setting image and its file", responses = {
            @ApiResponse(responseCode = "204", description = "Removed"),
            @ApiResponse(responseCode = "404", description = "No image of that name", content = @Content(
                    schema = @Schema(implementation = Problem.class))) })
    public Response delete(@PathParam("name") String name) {
        images().delete(name);
        return Response.noContent().build();
    }
}
