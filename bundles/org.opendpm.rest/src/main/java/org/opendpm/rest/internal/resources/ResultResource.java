package org.opendpm.rest.internal.resources;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;

import org.opendpm.api.ValidationException;
import org.opendpm.api.execution.ExecutionService;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.execution.ResultQuery;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.ResultPageDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The Scenario Execution Result List (EXE-7), read by viewers. */
@Component(service = ResultResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("results")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "executions")
public class ResultResource {

    static final int MAX_LIMIT = 1000;

    private final ExecutionService executions;

    @Activate
    public ResultResource(@Reference ExecutionService executions) {
        this.executions = executions;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Finished executions, newest first, with result, start and end time and the error message;"
            + " filter by machine, the machines of a group, scenario, end state and end time (from inclusive, to"
            + " exclusive); a bad parameter is a 400 naming it")
    public ResultPageDto list(@QueryParam("machineId") String machineId,
            @Parameter(
                    description = "machines now in this group, not its sub-groups") @QueryParam("groupId") String groupId,
            @QueryParam("scenarioId") String scenarioId,
            @Parameter(description = "COMPLETED, FAILED, TIMED_OUT or CANCELLED") @QueryParam("state") String state,
            @Parameter(description = "ISO-8601 instant, e.g. 2026-03-01T00:00:00Z") @QueryParam("from") String from,
            @Parameter(description = "ISO-8601 instant, exclusive") @QueryParam("to") String to,
            @QueryParam("offset") String offset,
            @Parameter(description = "1 to 1000, default 100") @QueryParam("limit") String limit) {
        Optional<Instant> f = instant("from", from);
        Optional<Instant> t = instant("to", to);
        if (f.isPresent() && t.isPresent() && !t.get().isAfter(f.get())) {
            throw new ValidationException("to", "to (" + t.get() + ") must be after from (" + f.get() + ")");
        }
        int off = InventoryParams.integer("offset", offset, 0, 0, Integer.MAX_VALUE);
        int lim = InventoryParams.integer("limit", limit, 100, 1, MAX_LIMIT);
        ResultQuery query = new ResultQuery(optionalId("machineId", machineId), optionalId("scenarioId", scenarioId),
                f, t, off, lim, optionalId("groupId", groupId), state(state));
        return ResultPageDto.of(executions.results(query), off, lim);
    }

    /** An end state; WAITING and RUNNING are no results, so naming them is a mistake worth a 400. */
    static Optional<ExecutionState> state(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String ended = Arrays.stream(ExecutionState.values()).filter(ExecutionState::finished).map(Enum::name)
                .collect(Collectors.joining(", "));
        try {
            ExecutionState s = ExecutionState.valueOf(value.strip().toUpperCase(Locale.ROOT));
            if (s.finished()) {
                return Optional.of(s);
            }
        } catch (IllegalArgumentException e) {
            // reported below with the states there are
        }
        throw new ValidationException("state", "state must be one of " + ended + ", not '"
                + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "'");
    }

    static Optional<Long> optionalId(String field, String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(ScenarioParams.id(field, value));
    }

    /** An ISO-8601 instant; an offset other than Z is accepted ({@code 2026-03-01T09:00:00+09:00}). */
    static Optional<Instant> instant(String field, String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value.strip()));
        } catch (DateTimeParseException e) {
            throw new ValidationException(field, field + " must be an ISO-8601 instant such as 2026-03-01T09:30:00Z,"
                    + " not '" + value + "'");
        }
    }
}
