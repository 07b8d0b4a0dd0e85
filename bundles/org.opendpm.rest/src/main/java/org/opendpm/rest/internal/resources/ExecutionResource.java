package org.opendpm.rest.internal.resources;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.opendpm.api.ValidationException;
import org.opendpm.api.execution.ExecuteRequest;
import org.opendpm.api.execution.ExecutionService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.ExecutionDto;
import org.opendpm.rest.internal.dto.ExecutionLogLineDto;
import org.opendpm.rest.internal.dto.ExecutionRequestDto;
import org.opendpm.rest.internal.dto.ExecutionStepDto;
import org.opendpm.rest.internal.dto.Problem;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * Scenario executions (EXE-1, EXE-6): started and cancelled by operators, the Scenario Execution List read by viewers.
 */
@Component(service = ExecutionResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("executions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "executions")
public class ExecutionResource {

    /** The inventory holds at most 40000 machines (INV-1); a longer list cannot be meant. */
    static final int MAX_MACHINES = 40_000;

    private final ExecutionService executions;

    @Activate
    public ExecutionResource(@Reference ExecutionService executions) {
        this.executions = executions;
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Execute on machines ({\"machineIds\":[...]}) the scenario assigned to each, or the scenario"
            + " scenarioId after assigning it to them; all or none: a machine that is executing, in error, without"
            + " the Deploy-OS the scenario needs (EXE-3) or powered on without the forced-reboot option (EXE-2)"
            + " refuses the whole request with 409 naming it",
            responses = {
                    @ApiResponse(responseCode = "201", description = "The executions, in the order of machineIds",
                            content = @Content(array = @ArraySchema(schema = @Schema(
                                    implementation = ExecutionDto.class)))),
                    @ApiResponse(responseCode = "400", description = "machineIds missing, empty, repeated or too"
                            + " many; the field is named",
                            content = @Content(schema = @Schema(
                                    implementation = Problem.class))),
                    @ApiResponse(responseCode = "404", description = "An unknown machine or scenario",
                            content = @Content(schema = @Schema(implementation = Problem.class))),
                    @ApiResponse(responseCode = "409", description = "A machine fails a precondition; nothing was"
                            + " started", content = @Content(schema = @Schema(implementation = Problem.class))) })
    public Response execute(ExecutionRequestDto body, @Context SecurityContext security) {
        SettingsResource.required(body);
        List<Long> ids = machineIds(body.machineIds());
        List<ExecutionDto> started = executions.execute(new ExecuteRequest(ids, Optional.ofNullable(body
                .scenarioId()), true, user(security))).stream().map(ExecutionDto::of).toList();
        return Response.status(201).entity(started).build();
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The Scenario Execution List (EXE-6): waiting and running executions, oldest first, with"
            + " the current step and its progress")
    public List<ExecutionDto> list() {
        return executions.active().stream().map(ExecutionDto::of).toList();
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One execution, running or finished")
    public ExecutionDto get(@PathParam("id") String id) {
        return ExecutionDto.of(executions.execution(ScenarioParams.id("id", id)));
    }

    @GET
    @Path("{id}/steps")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The steps of an execution's plan, running or finished, with state, progress (done, total,"
            + " unit, percent) and times; empty while it waits or is being planned",
            responses = {
                    @ApiResponse(responseCode = "200", description = "The steps, by number",
                            content = @Content(array = @ArraySchema(schema = @Schema(
                                    implementation = ExecutionStepDto.class)))),
                    @ApiResponse(responseCode = "404", description = "No execution of this id",
                            content = @Content(schema = @Schema(implementation = Problem.class))) })
    public List<ExecutionStepDto> steps(@PathParam("id") String id) {
        return executions.steps(ScenarioParams.id("id", id)).stream().map(ExecutionStepDto::of).toList();
    }

    @GET
    @Path("{id}/log")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The lines an execution's steps logged, oldest first (at most 1000 per execution)",
            responses = {
                    @ApiResponse(responseCode = "200", description = "The log lines",
                            content = @Content(array = @ArraySchema(schema = @Schema(
                                    implementation = ExecutionLogLineDto.class)))),
                    @ApiResponse(responseCode = "404", description = "No execution of this id",
                            content = @Content(schema = @Schema(implementation = Problem.class))) })
    public List<ExecutionLogLineDto> log(@PathParam("id") String id) {
        return executions.log(ScenarioParams.id("id", id)).stream().map(ExecutionLogLineDto::of).toList();
    }

    @POST
    @Path("{id}/cancel")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Cancel a waiting or running execution; the machine's status becomes Scenario Execution"
            + " Stop; 409 when it has already finished")
    public ExecutionDto cancel(@PathParam("id") String id, @Context SecurityContext security) {
        return ExecutionDto.of(executions.cancel(ScenarioParams.id("id", id), user(security)));
    }

    /**
     * The machine ids of a body, checked here so the answer names the field: present, not empty, no null and no id
     * twice (a repeated machine would be refused as "already executing" by its own first entry).
     */
    static List<Long> machineIds(List<Long> ids) {
        if (ids == null || ids.isEmpty()) {
            throw new ValidationException("machineIds", "machineIds is required: the ids of one machine or more");
        }
        if (ids.size() > MAX_MACHINES) {
            throw new ValidationException("machineIds", "machineIds lists " + ids.size() + " machines; at most "
                    + MAX_MACHINES + " are managed");
        }
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            Long id = ids.get(i);
            if (id == null) {
                throw new ValidationException("machineIds[" + i + "]", "machineIds[" + i + "] is null; give a"
                        + " machine id");
            }
            if (!seen.add(id)) {
                throw new ValidationException("machineIds[" + i + "]", "Machine " + id + " is listed twice in"
                        + " machineIds");
            }
        }
        return ids;
    }

    /** Who asked, for the execution's and operation's {@code requestedBy}. */
    static String user(SecurityContext security) {
        return security == null || security.getUserPrincipal() == null
                ? "rest"
                : security.getUserPrincipal().getName();
    }
}
