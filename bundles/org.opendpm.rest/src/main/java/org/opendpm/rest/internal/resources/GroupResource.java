package org.opendpm.rest.internal.resources;

import java.util.List;
import java.util.Optional;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.PATCH;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.MachineGroup;
import org.opendpm.api.inventory.NetworkSetting;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.GroupChangeDto;
import org.opendpm.rest.internal.dto.GroupDto;
import org.opendpm.rest.internal.dto.GroupRefDto;
import org.opendpm.rest.internal.dto.NewGroupDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Machine groups (INV-1, INV-2, INV-10): read by viewers, changed by admins. */
@Component(service = GroupResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("groups")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "groups")
public class GroupResource {

    private final InventoryService inventory;

    @Activate
    public GroupResource(@Reference InventoryService inventory) {
        this.inventory = inventory;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Every group, flat, ordered by path")
    public List<GroupDto> list() {
        return inventory.groups().stream().map(GroupDto::of).toList();
    }

    @GET
    @Path("tree")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The group tree: top-level groups with their sub-groups, each level ordered by name")
    public List<GroupDto> tree() {
        return inventory.groupTree().stream().map(GroupDto::of).toList();
    }

    @GET
    @Path("by-path")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The group at a full path, e.g. ?path=/Group2/Subgroup21")
    public GroupDto byPath(@QueryParam("path") String path) {
        if (path == null) {
            throw new ValidationException("path", "The query parameter 'path' is required, e.g. /Group2/Subgroup21");
        }
        return GroupDto.of(inventory.findGroup(path)
                .orElseThrow(() -> new NotFoundException("No machine group " + path.strip())));
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One group")
    public GroupDto get(@PathParam("id") String id) {
        return GroupDto.of(inventory.group(InventoryParams.id("id", id)));
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Create a group at a full path under an existing parent; 409 past 1000 groups or 20 layers")
    public Response create(NewGroupDto body) {
        SettingsResource.required(body);
        NetworkSetting network = body.network() == null
                ? NetworkSetting.SAME_SUBNET
                : body.network().toSetting("network");
        MachineGroup created = inventory.createGroup(body.path(), network);
        return Response.status(201).entity(GroupDto.of(created)).build();
    }

    @PATCH
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Rename a group and/or change its network setting; fields left out keep their value")
    public GroupDto patch(@PathParam("id") String id, GroupChangeDto body) {
        SettingsResource.required(body);
        return GroupDto.of(inventory.updateGroup(InventoryParams.id("id", id), Optional.ofNullable(body.name()),
                Optional.ofNullable(body.network()).map(n -> n.toSetting("network"))));
    }

    @POST
    @Path("{id}/move")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Move a group with everything in it under another group (groupId or groupPath; \"/\" for"
            + " the top level)")
    public GroupDto move(@PathParam("id") String id, GroupRefDto body) {
        SettingsResource.required(body);
        if (body.machineIds() != null) {
            throw new ValidationException("machineIds", "Moving a group takes no machineIds");
        }
        Optional<Long> parent = "/".equals(body.groupPath() == null ? null : body.groupPath().strip())
                && body.groupId() == null
                        ? Optional.empty()
                        : Optional.of(InventoryParams.group(inventory, body.groupId(), body.groupPath()).id());
        return GroupDto.of(inventory.moveGroup(InventoryParams.id("id", id), parent));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete a group; one with sub-groups or machines only with ?recursive=true, which deletes"
            + " them too")
    public Response delete(@PathParam("id") String id, @QueryParam("recursive") String recursive) {
        inventory.deleteGroup(InventoryParams.id("id", id), InventoryParams.bool("recursive", recursive));
        return Response.noContent().build();
    }
}
