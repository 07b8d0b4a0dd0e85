package org.opendpm.rest.internal.resources;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.packages.PackageWebServers;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.DownloadReportDto;
import org.opendpm.rest.internal.dto.DownloadSettingsDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * The package download settings (PKG-3), "download now" and the overall Latest Download Information: read by
 * viewers, changed by admins; changes are refused (409) while a download runs.
 */
@Component(service = PackageDownloadResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("package-download")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "packages")
public class PackageDownloadResource {

    private final PackageWebServers servers;

    @Activate
    public PackageDownloadResource(@Reference PackageWebServers servers) {
        this.servers = servers;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The download settings (automatic, daily time HH:MM), whether a download runs, and the"
            + " overall Latest Download Information")
    public DownloadSettingsDto settings() {
        return DownloadSettingsDto.of(servers.settings(), servers.downloading(),
                servers.latest(PackageWebServers.OVERALL).map(DownloadReportDto::of).orElse(null));
    }

    @PUT
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Change the download settings: automatic, time (HH:MM); 409 while a download runs")
    public DownloadSettingsDto changeSettings(DownloadSettingsDto body) {
        SettingsResource.required(body);
        servers.changeSettings(body.toSettings());
        return settings();
    }

    @POST
    @Path("now")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Download now from every enabled server, in server ID order, in the background (202); 409"
            + " while a download runs; the outcome is in GET /package-download/latest")
    public Response downloadNow() {
        servers.downloadNow();
        return Response.accepted(settings()).build();
    }

    @GET
    @Path("latest")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The Latest Download Information of the whole download: success or failure, time, the"
            + " packages added, updated and deleted; 404 before the first download")
    public DownloadReportDto latest() {
        return servers.latest(PackageWebServers.OVERALL).map(DownloadReportDto::of)
                .orElseThrow(() -> new NotFoundException("No package download has run yet"));
    }
}
