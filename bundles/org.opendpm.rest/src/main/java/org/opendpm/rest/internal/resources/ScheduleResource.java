package org.opendpm.rest.internal.resources;

import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.schedule.ScheduleKind;
import org.opendpm.api.schedule.ScheduleService;
import org.opendpm.api.schedule.ScheduleSpec;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.ScheduleDto;
import org.opendpm.rest.internal.dto.ScheduleInputDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * Schedules (SCH-1 to SCH-3): scenario executions on machines or on a group, power on and shutdown, once or
 * repeating. Read by viewers, made and changed by operators.
 */
@Component(service = ScheduleResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("schedules")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "schedules")
public class ScheduleResource {

    private final ScheduleService schedules;
    private final InventoryService inventory;

    @Activate
    public ScheduleResource(@Reference ScheduleService schedules, @Reference InventoryService inventory) {
        this.schedules = schedules;
        this.inventory = inventory;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Every schedule ordered by name, with its next fire time and what it did last")
    public List<ScheduleDto> list() {
        return schedules.schedules().stream().map(ScheduleDto::of).toList();
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One schedule")
    public ScheduleDto get(@PathParam("id") String id) {
        return ScheduleDto.of(schedules.schedule(ScenarioParams.id("id", id)));
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Create a schedule: kind EXECUTE (scenarioId, machineIds), GROUP_EXECUTE (scenarioId, groupId"
            + " or groupPath, includeSubgroups), POWER_ON or SHUTDOWN (machineIds or a group); at (local date-time)"
            + " or cron (Quartz) in timeZone (IANA id). 400 names the field (at in the past, unknown timeZone, bad"
            + " cron); 404 for an unknown scenario, machine or group; 409 for a name taken")
    public Response create(ScheduleInputDto body, @Context SecurityContext security) {
        String who = security == null || security.getUserPrincipal() == null
                ? "rest"
                : security.getUserPrincipal().getName();
        return Response.status(201).entity(ScheduleDto.of(schedules.create(spec(body), who))).build();
    }

    @PUT
    @Path("{id}")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Replace a schedule's name, kind, targets and timing, checked as on creation; its history"
            + " stays")
    public ScheduleDto update(@PathParam("id") String id, ScheduleInputDto body) {
        long scheduleId = ScenarioParams.id("id", id);
        return ScheduleDto.of(schedules.update(scheduleId, spec(body)));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Delete a schedule; it fires no more")
    public Response delete(@PathParam("id") String id) {
        schedules.delete(ScenarioParams.id("id", id));
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/enable")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Enable a schedule; a one-off whose time has passed is refused (400 naming at)")
    public ScheduleDto enable(@PathParam("id") String id) {
        return ScheduleDto.of(schedules.setEnabled(ScenarioParams.id("id", id), true));
    }

    @POST
    @Path("{id}/disable")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Disable a schedule: it is kept and fires no more until enabled")
    public ScheduleDto disable(@PathParam("id") String id) {
        return ScheduleDto.of(schedules.setEnabled(ScenarioParams.id("id", id), false));
    }

    ScheduleSpec spec(ScheduleInputDto body) {
        SettingsResource.required(body);
        return new ScheduleSpec(body.name(), kind(body.kind()), Optional.ofNullable(body.scenarioId()),
                body.machineIds() == null ? List.of() : body.machineIds(), group(body.groupId(), body.groupPath()),
                Boolean.TRUE.equals(body.includeSubgroups()), at(body.at()), Optional.ofNullable(body.cron()),
                body.timeZone(), body.enabled() == null || body.enabled());
    }

    static ScheduleKind kind(String text) {
        String known = Arrays.stream(ScheduleKind.values()).map(Enum::name).collect(Collectors.joining(", "));
        if (text == null || text.isBlank()) {
            throw new ValidationException("kind", "kind is required: one of " + known);
        }
        try {
            return ScheduleKind.valueOf(text.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new ValidationException("kind", "Unknown kind '" + text.strip() + "'; kinds are " + known);
        }
    }

    /** An ISO-8601 local date and time: the zone is the schedule's timeZone, so an offset is refused. */
    static Optional<LocalDateTime> at(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.parse(text.strip()));
        } catch (DateTimeParseException e) {
            throw new ValidationException("at", "at '" + text.strip() + "' is not a local date and time such as"
                    + " 2026-04-01T07:30:00 (no offset: the time zone is timeZone)");
        }
    }

    private Optional<Long> group(Long id, String path) {
        if (id != null && path != null) {
            throw new ValidationException("groupPath", "Give groupId or groupPath, not both");
        }
        if (path != null) {
            try {
                return Optional.of(inventory.findGroup(path).orElseThrow(() -> new ValidationException("groupPath",
                        "No machine group " + path.strip())).id());
            } catch (NotFoundException e) {
                throw new ValidationException("groupPath", e.getMessage());
            }
        }
        return Optional.ofNullable(id);
    }
}
