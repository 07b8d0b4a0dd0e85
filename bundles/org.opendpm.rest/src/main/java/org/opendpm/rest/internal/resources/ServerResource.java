package org.opendpm.rest.internal.resources;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.ServerInfoDto;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** What the server is, and the API's own description. */
@Component(service = ServerResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("/")
@Tag(name = "server")
public class ServerResource {

    /** Where the build writes the document: the swagger-maven-plugin's outputPath in this bundle's pom. */
    static final String OPENAPI_DOCUMENT = "/org/opendpm/rest/internal/openapi.json";

    private final String version;
    private final org.opendpm.store.Database database;

    @Activate
    public ServerResource(BundleContext context,
            @org.osgi.service.component.annotations.Reference org.opendpm.store.Database database) {
        this.version = context.getBundle().getVersion().toString();
        this.database = database;
    }

    @GET
    @Path("server")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Product, version, database and uptime")
    public ServerInfoDto info() {
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime() / 1000;
        return new ServerInfoDto("OpenDPM", version, database.describe(), database.isAvailable(), uptime);
    }

    @GET
    @Path("openapi.json")
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "This API's OpenAPI 3 document")
    public Response openApi() throws IOException {
        try (InputStream in = ServerResource.class.getResourceAsStream(OPENAPI_DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException("The OpenAPI document " + OPENAPI_DOCUMENT + " is not in the bundle");
            }
            return Response.ok(in.readAllBytes(), MediaType.APPLICATION_JSON).build();
        }
    }
}
