package org.opendpm.rest.internal;

import javax.ws.rs.core.Application;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationBase;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsName;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.annotations.servers.Server;

/** The OpenDPM REST application; resources and extensions join it through the JAX-RS whiteboard. */
@Component(service = Application.class)
@JaxrsApplicationBase(OpenDpmApplication.BASE)
@JaxrsName(OpenDpmApplication.NAME)
@OpenAPIDefinition(
        info = @Info(title = "OpenDPM REST API", version = "1",
                description = "Inventory, scenarios, executions, network boot and plugins of OpenDPM. "
                        + "Errors are problem bodies: status, title, detail and the field at fault.",
                license = @License(name = "Apache-2.0")),
        servers = @Server(url = "/" + OpenDpmApplication.BASE),
        security = @SecurityRequirement(name = "basic"))
@SecurityScheme(name = "basic", type = SecuritySchemeType.HTTP, scheme = "basic",
        description = "Wrong credentials get 401. After repeated failed logins for a user name or from a client "
                + "address, its logins get 429 with Retry-After, unchecked, until the delay runs out.")
public class OpenDpmApplication extends Application {

    public static final String BASE = "opendpm/api/v1";
    public static final String NAME = "opendpm";
    /** Filter that attaches resources and extensions to this application. */
    public static final String SELECT = "(osgi.jaxrs.name=" + NAME + ")";
    /** Names of the extensions that authenticate requests and check roles. */
    public static final String AUTHENTICATION_NAME = "opendpm.authentication";
    public static final String ROLE_CHECK_NAME = "opendpm.roles";
    /**
     * Every resource requires these two extensions in this application. The whiteboard rebuilds the application as
     * each resource and extension arrives during start-up; without the requirement a resource could be served
     * before the authentication filter or role check had joined, to anyone.
     */
    public static final String AUTHENTICATION = "(osgi.jaxrs.name=" + AUTHENTICATION_NAME + ")";
    public static final String ROLE_CHECK = "(osgi.jaxrs.name=" + ROLE_CHECK_NAME + ")";
}
