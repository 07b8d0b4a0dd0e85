package org.opendpm.rest.internal.resources;

import java.util.List;

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
import org.opendpm.api.scenario.ScenarioService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.NewScenarioGroupDto;
import org.opendpm.rest.internal.dto.RenameDto;
import org.opendpm.rest.internal.dto.ScenarioGroupDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Scenario groups (SCN-1, SCN-4): read by viewers, changed by admins. */
@Component(service = ScenarioGroupResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("scenario-groups")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "scenario-groups")
public class ScenarioGroupResource {

    private final ScenarioService scenarios;

    @Activate
    public ScenarioGroupResource(@Reference ScenarioService scenarios) {
        this.scenarios = scenarios;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Every scenario group, flat, ordered by path")
    public List<ScenarioGroupDto> list() {
        return scenarios.groups().stream().map(ScenarioGroupDto::of).toList();
    }

    @GET
    @Path("tree")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The scenario group tree: top-level groups with their sub-groups, each level by name")
    public List<ScenarioGroupDto> tree() {
        return scenarios.groupTree().stream().map(ScenarioGroupDto::of).toList();
    }

    @GET
    @Path("by-path")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The scenario group at a full path, e.g. ?path=/Linux/Web")
    public ScenarioGroupDto byPath(@QueryParam("path") String path) {
        if (path == null) {
            throw new ValidationException("path", "The query parameter 'path' is required, e.g. /Linux/Web");
        }
        return ScenarioGroupDto.of(scenarios.findGroup(path)
                .orElseThrow(() -> new NotFoundException("No scenario group " + path.strip())));
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One scenario group")
    public ScenarioGroupDto get(@PathParam("id") String id) {
        return ScenarioGroupDto.of(scenarios.group(ScenarioParams.id("id", id)));
    }

    @POST
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Create a scenario group at a full path under an existing parent; 409 past 1000 groups or"
            + " 20 layers")
    public Response create(NewScenarioGroupDto body) {
        SettingsResource.required(body);
        return Response.status(201).entity(ScenarioGroupDto.of(scenarios.createGroup(body.path()))).build();
    }

    @PATCH
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Rename a scenario group; its sub-groups' paths follow. Built-in Scenarios: 409")
    public ScenarioGroupDto rename(@PathParam("id") String id, RenameDto body) {
        SettingsResource.required(body);
        return ScenarioGroupDto.of(scenarios.renameGroup(ScenarioParams.id("id", id), body.name()));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Delete an empty scenario group (no sub-groups, no scenarios). Built-in Scenarios: 409")
    public Response delete(@PathParam("id") String id) {
        scenarios.deleteGroup(ScenarioParams.id("id", id));
        return Response.noContent().build();
    }
}
