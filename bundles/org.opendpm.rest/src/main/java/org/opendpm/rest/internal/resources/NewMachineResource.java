package org.opendpm.rest.internal.resources;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.NewMachineRegistration;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.MachineDto;
import org.opendpm.rest.internal.dto.NewMachineDto;
import org.opendpm.rest.internal.dto.RegisterNewMachinesDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The New Machine list (INV-4): machines seen but not registered, and their registration into a group. */
@Component(service = NewMachineResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("new-machines")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "new machines")
public class NewMachineResource {

    private final InventoryService inventory;

    @Activate
    public NewMachineResource(@Reference InventoryService inventory) {
        this.inventory = inventory;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Machines under New Machine, most recently seen first")
    public List<NewMachineDto> list() {
        return inventory.newMachines().stream().map(NewMachineDto::of).toList();
    }

    @POST
    @Path("register")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Register one or many New Machines into a group (groupId or groupPath) in one step, all or"
            + " none; a name left out is the agent's, else one made from the MAC")
    public Response register(RegisterNewMachinesDto body) {
        SettingsResource.required(body);
        long group = InventoryParams.group(inventory, body.groupId(), body.groupPath()).id();
        if (body.machines() == null || body.machines().isEmpty()) {
            throw new ValidationException("machines", "Choose at least one New Machine to register");
        }
        List<NewMachineRegistration> choices = new ArrayList<>();
        for (int i = 0; i < body.machines().size(); i++) {
            RegisterNewMachinesDto.Choice c = body.machines().get(i);
            if (c == null || c.id() == null) {
                throw new ValidationException("machines[" + i + "].id", "The New Machine's id is required");
            }
            choices.add(new NewMachineRegistration(c.id(), Optional.ofNullable(c.name())));
        }
        List<MachineDto> registered = inventory.registerNewMachines(group, choices).stream().map(MachineDto::of)
                .toList();
        return Response.status(201).entity(registered).build();
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Remove a machine from the New Machine list")
    public Response delete(@PathParam("id") String id) {
        inventory.deleteNewMachine(InventoryParams.id("id", id));
        return Response.noContent().build();
    }
}
