package org.opendpm.rest.internal.resources;

import java.util.List;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.opendpm.api.packages.PackageWebServer;
import org.opendpm.api.packages.PackageWebServers;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.PackageWebServerDto;
import org.opendpm.rest.internal.dto.PackageWebServerInputDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * Package Web Servers (PKG-3), each with its Latest Download Information: read by viewers, changed by admins; changes
 * are refused (409) while a download runs. The settings and "download now" are {@link PackageDownloadResource}.
 */
@Component(service = PackageWebServerResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("package-web-servers")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "packages")
public class PackageWebServerResource {

    private final PackageWebServers servers;

    @Activate
    public PackageWebServerResource(@Reference PackageWebServers servers) {
        this.servers = servers;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Every Package Web Server in download order (server ID, numbers before letters), each with"
            + " its Latest Download Information")
    public List<PackageWebServerDto> list() {
        return servers.list().stream().map(this::dto).toList();
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One Package Web Server with its Latest Download Information")
    public PackageWebServerDto get(@PathParam("id") String id) {
        return dto(servers.get(id));
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Add a Package Web Server: id (1 to 32 letters and digits, unique ignoring case), url (http"
            + " or https, the repository's folder), enabled (default true); 400 names the field, 409 an ID in use or"
            + " a download running")
    public Response add(PackageWebServerInputDto body) {
        SettingsResource.required(body);
        return Response.status(201).entity(dto(servers.add(body.toServer(null)))).build();
    }

    @PUT
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Change a server's url and enabled; its ID stays; 409 while a download runs")
    public PackageWebServerDto update(@PathParam("id") String id, PackageWebServerInputDto body) {
        SettingsResource.required(body);
        return dto(servers.update(body.toServer(id)));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete a server; the packages it registered stay as the administrator's own; 409 while a"
            + " download runs")
    public Response delete(@PathParam("id") String id) {
        servers.delete(id);
        return Response.noContent().build();
    }

    private PackageWebServerDto dto(PackageWebServer s) {
        return PackageWebServerDto.of(s, servers.latest(s.id()).orElse(null));
    }
}
