package org.opendpm.rest.internal.resources;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.ServiceUnavailableException;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.opendpm.api.boot.BootIntentService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.BootIntentDto;
import org.opendpm.rest.internal.dto.BootIntentInputDto;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** A machine's next-boot intent (NET-1), set by hand: read by viewers, set and cleared by operators. */
@Component(service = MachineBootIntentResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("machines/{id}/boot-intent")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "machines")
public class MachineBootIntentResource {

    /** Null while the netboot feature is not installed: REST runs without it, and says so. */
    private final BootIntentService intents;

    @Activate
    public MachineBootIntentResource(
            @Reference(cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) BootIntentService intents) {
        this.intents = intents;
    }

    private BootIntentService service() {
        if (intents == null) {
            throw new ServiceUnavailableException("Network boot is not installed (feature opendpm-netboot)");
        }
        return intents;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "What the machine boots next from the network; stored=false means no intent (local disk)")
    public BootIntentDto get(@PathParam("id") String id) {
        long machineId = InventoryParams.id("id", id);
        return service().get(machineId).map(BootIntentDto::of).orElseGet(() -> BootIntentDto.none(machineId));
    }

    @PUT
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Set the next boot: intent LOCAL_DISK, DEPLOY_OS (optional deployOs overriding the"
            + " machine's), OS_INSTALLER (kernel, optional initrd and bootArguments), MEMDISK_FLOPPY (kernel: memdisk,"
            + " initrd: the floppy image) or EFI_APPLICATION (kernel: the .efi, bootArguments); oneShot=true clears it once"
            + " the machine fetched its boot configuration; 400 names the field at fault")
    public BootIntentDto put(@PathParam("id") String id, BootIntentInputDto body, @Context SecurityContext security) {
        SettingsResource.required(body);
        long machineId = InventoryParams.id("id", id);
        String who = security == null || security.getUserPrincipal() == null
                ? "rest"
                : security.getUserPrincipal().getName();
        return BootIntentDto.of(service().set(machineId, body.toNextBoot(), who));
    }

    @DELETE
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Clear the next boot: the machine boots its local disk")
    public Response delete(@PathParam("id") String id) {
        service().clear(InventoryParams.id("id", id));
        return Response.noContent().build();
    }
}
