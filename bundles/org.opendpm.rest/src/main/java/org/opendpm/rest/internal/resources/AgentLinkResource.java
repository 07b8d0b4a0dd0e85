package org.opendpm.rest.internal.resources;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;

import org.opendpm.api.agent.AgentLink;
import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.AgentLinkStatusDto;
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

/** The agent link's port, certificate fingerprint and counters, read by viewers. */
@Component(service = AgentLinkResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("agent-link")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "agents")
public class AgentLinkResource {

    /** Null while the agent link is not running: REST runs without it, and says so. */
    private final AgentLink link;

    @Activate
    public AgentLinkResource(
            @Reference(cardinality = ReferenceCardinality.OPTIONAL,
                    policyOption = ReferencePolicyOption.GREEDY) AgentLink link) {
        this.link = link;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The TCP port agents connect to (0: disabled), the SHA-256 fingerprint of the server"
            + " certificate for agents' --server-fingerprint, the agents connected now and the connections closed"
            + " by the server since start, by reason")
    public AgentLinkStatusDto status() {
        return AgentLinkStatusDto.of(AgentResource.service(link).status());
    }
}
