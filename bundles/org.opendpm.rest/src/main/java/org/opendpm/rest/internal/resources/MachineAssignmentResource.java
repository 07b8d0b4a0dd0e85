package org.opendpm.rest.internal.resources;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.scenario.ScenarioService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.AssignmentDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The scenario assigned to one machine (SCN-5): read by viewers, removed by operators. */
@Component(service = MachineAssignmentResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("machines/{id}/assignment")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "machines")
public class MachineAssignmentResource {

    private final ScenarioService scenarios;
    private final InventoryService inventory;

    @Activate
    public MachineAssignmentResource(@Reference ScenarioService scenarios, @Reference InventoryService inventory) {
        this.scenarios = scenarios;
        this.inventory = inventory;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The scenario assigned to the machine; 404 when it has none")
    public AssignmentDto get(@PathParam("id") String id) {
        long machineId = machine(id);
        return AssignmentDto.of(scenarios.assignment(machineId).orElseThrow(() -> new NotFoundException("Machine "
                + machineId + " has no assigned scenario")));
    }

    @DELETE
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Remove the machine's assigned scenario; 404 when it has none")
    public Response delete(@PathParam("id") String id) {
        long machineId = machine(id);
        if (!scenarios.unassign(machineId)) {
            throw new NotFoundException("Machine " + machineId + " has no assigned scenario");
        }
        return Response.noContent().build();
    }

    /** The machine id, checked to exist so an unknown machine is told apart from one without a scenario. */
    private long machine(String id) {
        long machineId = ScenarioParams.id("id", id);
        inventory.machine(machineId);
        return machineId;
    }
}
