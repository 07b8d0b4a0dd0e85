package org.opendpm.rest.internal.resources;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
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

import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.MachineGroup;
import org.opendpm.api.inventory.MachinePage;
import org.opendpm.api.inventory.MachineQuery;
import org.opendpm.api.inventory.MachineSort;
import org.opendpm.api.inventory.MachineStatus;
import org.opendpm.api.inventory.SeenBy;
import org.opendpm.api.inventory.SeenMachine;
import org.opendpm.api.scenario.ScenarioService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.GroupRefDto;
import org.opendpm.rest.internal.dto.ImportResultDto;
import org.opendpm.rest.internal.dto.MachineDto;
import org.opendpm.rest.internal.dto.MachineInputDto;
import org.opendpm.rest.internal.dto.MachinePageDto;
import org.opendpm.rest.internal.dto.SeenDto;
import org.opendpm.rest.internal.dto.SeenResultDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Managed machines (INV-3, INV-6, INV-9, INV-10): read by viewers, changed by admins. */
@Component(service = MachineResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("machines")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "machines")
public class MachineResource {

    static final String CSV = "text/csv";

    private final InventoryService inventory;
    private final ScenarioService scenarios;

    @Activate
    public MachineResource(@Reference InventoryService inventory, @Reference ScenarioService scenarios) {
        this.inventory = inventory;
        this.scenarios = scenarios;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "A page of machines, each with its assigned scenario; filter by group (group id or groupPath,"
            + " with subgroups=true for its sub-groups too), status and text (q: name, IP, UUID, model or MAC); sort by"
            + " name (the default), ip, mac, model, status or power, with a leading '-' for descending; ties go by"
            + " name")
    public MachinePageDto list(@QueryParam("group") String group, @QueryParam("groupPath") String groupPath,
            @QueryParam("subgroups") String subgroups, @QueryParam("status") String status, @QueryParam("q") String q,
            @QueryParam("offset") String offset, @QueryParam("limit") String limit,
            @QueryParam("sort") String sort) {
        Optional<Long> groupId = Optional.empty();
        if (group != null || groupPath != null) {
            groupId = Optional.of(InventoryParams.group(inventory, group == null
                    ? null
                    : InventoryParams.id("group",
                            group),
                    groupPath).id());
        }
        Optional<MachineStatus> st = Optional.empty();
        if (status != null && !status.isBlank()) {
            try {
                st = Optional.of(MachineStatus.valueOf(status.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new ValidationException("status", "Unknown status '" + status + "'; statuses are "
                        + List.of(MachineStatus.values()));
            }
        }
        boolean descending = sort != null && sort.strip().startsWith("-");
        MachineQuery query = new MachineQuery(groupId, InventoryParams.bool("subgroups", subgroups), st,
                Optional.ofNullable(q), InventoryParams.integer("offset", offset, 0, 0, Integer.MAX_VALUE),
                InventoryParams.integer("limit", limit, 100, 1, MachineQuery.MAX_LIMIT), sort(sort), descending);
        MachinePage page = inventory.machines(query);
        return MachinePageDto.of(page, scenarios.assignmentsOf(page.machines().stream().map(m -> m.id()).toList()));
    }

    /** The order of {@code sort}: a column name, '-' before it for descending; none is by name. */
    static MachineSort sort(String sort) {
        if (sort == null || sort.isBlank()) {
            return MachineSort.NAME;
        }
        String key = sort.strip();
        key = key.startsWith("-") ? key.substring(1) : key;
        try {
            return MachineSort.valueOf(key.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ValidationException("sort", "Unknown sort '" + (key.length() > 40
                    ? key.substring(0, 40) + "..."
                    : key) + "'; sorts are name, ip, mac, model, status and power, '-' before one for descending");
        }
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One machine")
    public MachineDto get(@PathParam("id") String id) {
        return MachineDto.of(inventory.machine(InventoryParams.id("id", id)));
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Register a machine in a group (groupId or groupPath); 409 naming the machine that holds the"
            + " MAC, UUID or name, or past 40000 machines")
    public Response create(MachineInputDto body) {
        SettingsResource.required(body);
        MachineGroup group = InventoryParams.group(inventory, body.groupId(), body.groupPath());
        return Response.status(201).entity(MachineDto.of(inventory.createMachine(group.id(), body.toSpec()))).build();
    }

    @PUT
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Replace a machine's name, NICs, UUID, IP, model and Deploy-OS (left out: use the default);"
            + " the group is changed by a move")
    public MachineDto update(@PathParam("id") String id, MachineInputDto body) {
        SettingsResource.required(body);
        if (body.groupId() != null || body.groupPath() != null) {
            throw new ValidationException(body.groupId() != null ? "groupId" : "groupPath",
                    "A machine changes group by POST /machines/{id}/move");
        }
        return MachineDto.of(inventory.updateMachine(InventoryParams.id("id", id), body.toSpec()));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete a machine")
    public Response delete(@PathParam("id") String id) {
        inventory.deleteMachine(InventoryParams.id("id", id));
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/move")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Move a machine to another group (groupId or groupPath)")
    public MachineDto move(@PathParam("id") String id, GroupRefDto body) {
        SettingsResource.required(body);
        if (body.machineIds() != null) {
            throw new ValidationException("machineIds", "To move several machines use POST /machines/move");
        }
        long machineId = InventoryParams.id("id", id);
        inventory.moveMachines(List.of(machineId), InventoryParams.group(inventory, body.groupId(), body.groupPath())
                .id());
        return MachineDto.of(inventory.machine(machineId));
    }

    @POST
    @Path("move")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Move machines (machineIds) to a group (groupId or groupPath): all of them or, if one is"
            + " unknown, none")
    public BulkMoved moveMany(GroupRefDto body) {
        SettingsResource.required(body);
        long group = InventoryParams.group(inventory, body.groupId(), body.groupPath()).id();
        return new BulkMoved(inventory.moveMachines(body.machineIds(), group));
    }

    /** How many machines a bulk move moved. */
    public record BulkMoved(int moved) {
    }

    @POST
    @Path("seen")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Report a machine seen by network boot or the agent (tooling; the server's own boot and agent"
            + " code call the Java API): an unknown machine is listed under New Machine once, or registered by"
            + " GroupAsName.ini/GroupAsIp.ini")
    public SeenResultDto seen(SeenDto body) {
        SettingsResource.required(body);
        SeenBy by;
        if (body.seenBy() == null) {
            by = body.ip() != null || body.name() != null ? SeenBy.AGENT : SeenBy.NETWORK_BOOT;
        } else {
            try {
                by = SeenBy.valueOf(body.seenBy().strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ValidationException("seenBy", "seenBy is NETWORK_BOOT or AGENT, not '" + body.seenBy() + "'");
            }
        }
        return SeenResultDto.of(inventory.registerSeen(new SeenMachine(by, body.mac(), Optional.ofNullable(body.uuid()),
                Optional.ofNullable(body.ip()), Optional.ofNullable(body.name()))));
    }

    @POST
    @Path("import")
    @Consumes({ CSV, MediaType.TEXT_PLAIN })
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Import machines from CSV (header group_path,name,macs,uuid,ip,model,deploy_os; macs"
            + " separated by '|', primary marked '(*)'), all or nothing: 400 lists every bad row by line and field")
    public ImportResultDto importCsv(InputStream body) {
        return ImportResultDto.of(inventory.importCsv(InventoryParams.utf8(body)));
    }

    @GET
    @Path("export")
    @Produces(CSV)
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Every machine as CSV in the import format, ordered by group path and name")
    public Response exportCsv() {
        byte[] csv = inventory.exportCsv().getBytes(StandardCharsets.UTF_8);
        return Response.ok(csv, CSV + "; charset=UTF-8")
                .header("Content-Disposition", "attachment; filename=\"machines.csv\"").build();
    }
}
