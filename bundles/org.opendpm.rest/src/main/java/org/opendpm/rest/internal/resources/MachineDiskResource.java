package org.opendpm.rest.internal.resources;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;

import org.opendpm.api.inventory.InventoryService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.MachineDisksDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** A machine's disks and partitions from its last disk check (IMG-4), read by viewers. */
@Component(service = MachineDiskResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("machines/{id}/disks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "machines")
public class MachineDiskResource {

    private final InventoryService inventory;

    @Activate
    public MachineDiskResource(@Reference InventoryService inventory) {
        this.inventory = inventory;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The machine's disks (numbered as Backup/Restore settings use them) with their partitions,"
            + " from its last disk check; scannedAt null and no disks when it was never scanned; 404 for an unknown"
            + " machine")
    public MachineDisksDto get(@PathParam("id") String id) {
        return MachineDisksDto.of(inventory.disks(InventoryParams.id("id", id)));
    }
}
