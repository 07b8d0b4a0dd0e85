package org.opendpm.rest.internal.resources;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;

import org.opendpm.api.execution.ExecutionService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.ExecutionRemoveErrorDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Remove Error (EXE-8) on one machine, by operators. */
@Component(service = MachineErrorResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("machines/{id}/remove-error")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "machines")
public class MachineErrorResource {

    private final ExecutionService executions;

    @Activate
    public MachineErrorResource(@Reference ExecutionService executions) {
        this.executions = executions;
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Clear the machine's error status (execution error, execution stop, Remote Power ON Error)"
            + " so it can execute again; removed=false when it had none")
    public ExecutionRemoveErrorDto removeError(@PathParam("id") String id) {
        long machineId = ScenarioParams.id("id", id);
        return new ExecutionRemoveErrorDto(machineId, executions.removeError(machineId));
    }
}
