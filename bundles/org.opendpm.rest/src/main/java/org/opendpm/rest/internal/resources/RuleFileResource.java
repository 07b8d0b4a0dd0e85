package org.opendpm.rest.internal.resources;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.GET;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.RuleFile;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.BootDecisionDto;
import org.opendpm.rest.internal.dto.RuleFileSavedDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * The registration rule files forceskip.ini, GroupAsName.ini and GroupAsIp.ini (INV-5, INV-7, INV-8) as plain text:
 * read by viewers, replaced by admins after a strict check.
 */
@Component(service = RuleFileResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("rules")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "registration rules")
public class RuleFileResource {

    private final InventoryService inventory;

    @Activate
    public RuleFileResource(@Reference InventoryService inventory) {
        this.inventory = inventory;
    }

    private static RuleFile file(String name) {
        return RuleFile.byFileName(name).orElseThrow(() -> new NotFoundException("No rule file '" + name
                + "'; the files are forceskip.ini, GroupAsName.ini and GroupAsIp.ini"));
    }

    @GET
    @Path("{file}")
    @Produces(MediaType.TEXT_PLAIN)
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "A rule file's text; 404 when there is none (for forceskip.ini the default '*' applies)")
    public Response get(@PathParam("file") String name) {
        RuleFile file = file(name);
        String text = inventory.ruleFile(file).orElseThrow(() -> new NotFoundException("There is no " + file.fileName()
                + (file == RuleFile.FORCESKIP ? "; the default '*' applies: every machine boots its local OS" : "")));
        return Response.ok(text.getBytes(StandardCharsets.UTF_8), MediaType.TEXT_PLAIN + "; charset=UTF-8").build();
    }

    @PUT
    @Path("{file}")
    @Consumes(MediaType.TEXT_PLAIN)
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Replace a rule file; any bad line refuses the whole file (400 listing every bad line) and"
            + " the old file stays")
    public RuleFileSavedDto put(@PathParam("file") String name, InputStream body) {
        return RuleFileSavedDto.of(inventory.saveRuleFile(file(name), InventoryParams.utf8(body)));
    }

    @GET
    @Path("forceskip.ini/decision")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "What network boot does with a machine of this MAC right after registering it")
    public BootDecisionDto decision(@QueryParam("mac") String mac) {
        if (mac == null) {
            throw new ValidationException("mac", "The query parameter 'mac' is required");
        }
        return BootDecisionDto.of(mac, inventory.bootDecision(mac));
    }
}
