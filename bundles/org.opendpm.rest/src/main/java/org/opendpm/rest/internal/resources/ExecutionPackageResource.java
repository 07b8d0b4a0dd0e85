package org.opendpm.rest.internal.resources;

import java.util.List;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;

import org.opendpm.api.packages.PackageResults;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.PackageResultDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The per-package results of an execution (PKG-2). */
@Component(service = ExecutionPackageResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("executions/{id}/packages")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "packages")
public class ExecutionPackageResource {

    private final PackageResults results;

    @Activate
    public ExecutionPackageResource(@Reference PackageResults results) {
        this.results = results;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Each package's result on the execution's machine: exit code, SUCCESS, RESTART_NEEDED or"
            + " FAILED, the end of its output (4 KiB), time")
    public List<PackageResultDto> results(@PathParam("id") String id) {
        return results.of(InventoryParams.id("id", id)).stream().map(PackageResultDto::of).toList();
    }
}
