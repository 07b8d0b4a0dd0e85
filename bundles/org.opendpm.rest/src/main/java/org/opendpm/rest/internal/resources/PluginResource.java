package org.opendpm.rest.internal.resources;

import java.util.List;
import java.util.Optional;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;

import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.api.settings.ServerSettingsService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.DeployOsMappingDto;
import org.opendpm.rest.internal.dto.DeployOsResolutionDto;
import org.opendpm.rest.internal.dto.PluginDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Plugins present now, and the Deploy-OS they give machine models (DOS-1). */
@Component(service = PluginResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "plugins")
public class PluginResource {

    private final PluginRegistry plugins;
    private final ServerSettingsService settings;

    @Activate
    public PluginResource(@Reference PluginRegistry plugins, @Reference ServerSettingsService settings) {
        this.plugins = plugins;
        this.settings = settings;
    }

    @GET
    @Path("plugins")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Every plugin: kind, key, bundle, version, ranking, and which one wins for each key")
    public List<PluginDto> plugins() {
        return plugins.plugins().stream().map(PluginDto::of).toList();
    }

    @GET
    @Path("deployos/models")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Machine models and patterns with the Deploy-OS the winning plugin gives them")
    public List<DeployOsMappingDto> deployOsModels() {
        return plugins.deployOsMappings().stream().map(DeployOsMappingDto::of).toList();
    }

    @GET
    @Path("deployos/resolve")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The Deploy-OS a machine would boot: explicit setting, exact model, model pattern, "
            + "then the server default")
    public DeployOsResolutionDto resolve(
            @Parameter(description = "machine model") @QueryParam("model") String model,
            @Parameter(
                    description = "the machine's explicit Deploy-OS, empty for the default") @QueryParam("deployOs") String explicit) {
        return DeployOsResolutionDto.of(plugins.resolveDeployOs(Optional.ofNullable(explicit),
                Optional.ofNullable(model), settings.get().defaultDeployOs()));
    }
}
