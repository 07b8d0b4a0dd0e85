package org.opendpm.rest.internal.resources;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.ServiceUnavailableException;
import javax.ws.rs.core.MediaType;

import org.opendpm.api.boot.BootStatusService;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.BootStatusDto;
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

/** The network boot servers' state (NET-1): present while the netboot feature is installed. */
@Component(service = BootResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("boot")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "boot")
public class BootResource {

    /** Null while the netboot feature is not installed: REST runs without it, and says so. */
    private final BootStatusService status;

    @Activate
    public BootResource(
            @Reference(cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) BootStatusService status) {
        this.status = status;
    }

    private BootStatusService service() {
        if (status == null) {
            throw new ServiceUnavailableException("Network boot is not installed (feature opendpm-netboot)");
        }
        return status;
    }

    @GET
    @Path("status")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Counters since start: TFTP transfers in flight, completed, failed and bytes; PXE packets"
            + " received, malformed and answered by kind; distinct boot clients; boot decisions; HTTP boot requests;"
            + " the NET-5 ports from Port.ini")
    public BootStatusDto status() {
        return BootStatusDto.of(service().status());
    }
}
