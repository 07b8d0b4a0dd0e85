package org.opendpm.rest.internal.resources;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.opendpm.api.packages.PackageService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.PackageDto;
import org.opendpm.rest.internal.dto.PackageInputDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The package registry (PKG-1) and its files: read by viewers, changed by admins. */
@Component(service = PackageResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("packages")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "packages")
public class PackageResource {

    private final PackageService packages;

    @Activate
    public PackageResource(@Reference PackageService packages) {
        this.packages = packages;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Every registered package with its files, by name")
    public List<PackageDto> list() {
        return packages.list().stream().map(PackageDto::of).toList();
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One package")
    public PackageDto get(@PathParam("id") String id) {
        return PackageDto.of(packages.get(InventoryParams.id("id", id)));
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Register a package: name, kind (SERVICE_PACK with version or packageId, HOTFIX with msNumber"
            + " or packageId, LINUX_PATCH, APPLICATION with displayName or packageId), urgency, installer (DEB, RPM,"
            + " SCRIPT with command), successCodes, rebootCodes, timeoutMinutes; 400 names the field of each broken"
            + " rule, 409 a name in use")
    public Response create(PackageInputDto body) {
        SettingsResource.required(body);
        return Response.status(201).entity(PackageDto.of(packages.create(body.toSpec()))).build();
    }

    @PUT
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Change a package; the same rules as registering; its files stay")
    public PackageDto update(@PathParam("id") String id, PackageInputDto body) {
        SettingsResource.required(body);
        return PackageDto.of(packages.update(InventoryParams.id("id", id), body.toSpec()));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete a package and its files")
    public Response delete(@PathParam("id") String id) {
        packages.delete(InventoryParams.id("id", id));
        return Response.noContent().build();
    }

    @PUT
    @Path("{id}/files/{name}")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Add a file to the package (application/octet-stream): streamed to a temporary file,"
            + " counted against maxFileMiB, hashed, checked against ?sha256= when given, then put in place; 400"
            + " names the field (name, content, sha256), 409 a file of that name (delete it first)")
    public Response upload(@PathParam("id") String id, @PathParam("name") String name,
            @QueryParam("sha256") String sha256,
            @RequestBody(description = "the file's bytes", required = true, content = @Content(
                    mediaType = MediaType.APPLICATION_OCTET_STREAM, schema = @Schema(type = "string",
                            format = "binary"))) InputStream body) {
        long packageId = InventoryParams.id("id", id);
        packages.addFile(packageId, name, body == null ? InputStream.nullInputStream() : body,
                Optional.ofNullable(sha256));
        return Response.status(201).entity(PackageDto.of(packages.get(packageId))).build();
    }

    @DELETE
    @Path("{id}/files/{name}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Remove one file of the package")
    public Response deleteFile(@PathParam("id") String id, @PathParam("name") String name) {
        packages.deleteFile(InventoryParams.id("id", id), name);
        return Response.noContent().build();
    }
}
