package org.opendpm.rest.internal.resources;

import java.util.List;
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
import org.opendpm.api.scenario.ScenarioService;
import org.opendpm.api.scenario.ScenarioSpec;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.AssignmentDto;
import org.opendpm.rest.internal.dto.ExecutabilityDto;
import org.opendpm.rest.internal.dto.MachineIdsDto;
import org.opendpm.rest.internal.dto.ScenarioDto;
import org.opendpm.rest.internal.dto.ScenarioInputDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * Scenarios (SCN-2 to SCN-4) and their machines (SCN-5): read by viewers, changed by admins, assigned by operators.
 */
@Component(service = ScenarioResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("scenarios")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "scenarios")
public class ScenarioResource {

    private final ScenarioService scenarios;

    @Activate
    public ScenarioResource(@Reference ScenarioService scenarios) {
        this.scenarios = scenarios;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Every scenario ordered by name, or those directly in one group (group id or groupPath);"
            + " a scenario whose plugin is missing has available=false and the reason")
    public List<ScenarioDto> list(@QueryParam("group") String group, @QueryParam("groupPath") String groupPath) {
        Optional<Long> groupId = Optional.empty();
        if (group != null || groupPath != null) {
            groupId = Optional.of(ScenarioParams.group(scenarios, group == null
                    ? null
                    : ScenarioParams.id("group",
                            group),
                    groupPath, "group", "groupPath").id());
        }
        return scenarios.scenarios(groupId).stream().map(ScenarioDto::of).toList();
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One scenario with its tabs and Option tab")
    public ScenarioDto get(@PathParam("id") String id) {
        return ScenarioDto.of(scenarios.scenario(ScenarioParams.id("id", id)));
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Create a scenario; each tab is checked by its plugin's own validation, the authority"
            + " over the schema GET /scenario-types shows (400 naming tabs.<type>.<field>), a tab whose plugin is not"
            + " installed is refused (400 naming tabs.<type>)")
    public Response create(ScenarioInputDto body) {
        return Response.status(201).entity(ScenarioDto.of(scenarios.createScenario(spec(body)))).build();
    }

    @PUT
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Replace a scenario's name, group, tabs and options, checked as on creation; built-in"
            + " scenarios: 409")
    public ScenarioDto update(@PathParam("id") String id, ScenarioInputDto body) {
        long scenarioId = ScenarioParams.id("id", id);
        return ScenarioDto.of(scenarios.updateScenario(scenarioId, spec(body)));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete a scenario; 409 while it is assigned to machines or when it is built in")
    public Response delete(@PathParam("id") String id) {
        scenarios.deleteScenario(ScenarioParams.id("id", id));
        return Response.noContent().build();
    }

    @GET
    @Path("{id}/executability")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Whether the scenario can be executed now and why not (a missing plugin)")
    public ExecutabilityDto executability(@PathParam("id") String id) {
        return ExecutabilityDto.of(scenarios.executability(ScenarioParams.id("id", id)));
    }

    @GET
    @Path("{id}/assignments")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The machines this scenario is assigned to, ordered by machine name")
    public List<AssignmentDto> assignments(@PathParam("id") String id) {
        return scenarios.assignments(ScenarioParams.id("id", id)).stream().map(AssignmentDto::of).toList();
    }

    @POST
    @Path("{id}/assignments")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Assign this scenario to machines ({\"machineIds\":[...]}), replacing what each had; all or"
            + " none")
    public List<AssignmentDto> assign(@PathParam("id") String id, MachineIdsDto body) {
        SettingsResource.required(body);
        return scenarios.assign(ScenarioParams.id("id", id), body.machineIds() == null
                ? List.of()
                : body.machineIds()).stream().map(AssignmentDto::of).toList();
    }

    private ScenarioSpec spec(ScenarioInputDto body) {
        SettingsResource.required(body);
        if (body.name() == null) {
            throw new ValidationException("name", "name is required");
        }
        long groupId = ScenarioParams.group(scenarios, body.groupId(), body.groupPath(), "groupId", "groupPath").id();
        return new ScenarioSpec(body.name(), groupId, body.tabs(), body.options() == null
                ? null
                : body.options().toOptions());
    }
}
