package org.opendpm.rest.internal.events;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.WebApplicationException;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.sse.Sse;
import javax.ws.rs.sse.SseEventSink;

import org.opendpm.rest.internal.OpenDpmApplication;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.Problem;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtensionSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsResource;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * The Scenario Execution List's changes as server-sent events (JAX-RS 2.1 SSE, which the JAX-RS whiteboard serves
 * through CXF's SSE support on an asynchronous servlet request): no client polls each machine.
 */
@Component(service = ExecutionEventsResource.class)
@JaxrsResource
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
@JaxrsExtensionSelect({ OpenDpmApplication.AUTHENTICATION, OpenDpmApplication.ROLE_CHECK })
@Path("executions/events")
@Tag(name = "executions")
public class ExecutionEventsResource {

    private final ExecutionEvents events;

    @Activate
    public ExecutionEventsResource(@Reference ExecutionEvents events) {
        this.events = events;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Server-sent events of the Scenario Execution List (EXE-6): first a 'snapshot' event (the"
            + " list as GET /executions gives it), then an 'execution' event (one execution as JSON, with its"
            + " step's progress: bytes, per cent, rate, seconds left) for each that changed, at most once a second"
            + " each, and once more as it finishes",
            responses = {
                    @ApiResponse(responseCode = "200", description = "The event stream",
                            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS)),
                    @ApiResponse(responseCode = "503", description = "Too many listeners; Retry-After says when"
                            + " to try again",
                            content = @Content(schema = @Schema(
                                    implementation = Problem.class))) })
    public void listen(@Context SseEventSink sink, @Context Sse sse) {
        boolean added = events.listen(new ExecutionEvents.Listener() {
            /** A write that failed after it was queued (the client went away). */
            private volatile boolean failed;

            @Override
            public boolean send(String name, String data) {
                return write(sse.newEventBuilder().name(name).data(data).build());
            }

            @Override
            public boolean ping() {
                return write(sse.newEventBuilder().comment("").build());
            }

            private boolean write(javax.ws.rs.sse.OutboundSseEvent event) {
                if (failed || sink.isClosed()) {
                    return false;
                }
                try {
                    sink.send(event).whenComplete((done, error) -> failed |= error != null);
                    return true;
                } catch (IllegalStateException e) {
                    return false;
                }
            }
        });
        if (!added) {
            sink.close();
            throw new WebApplicationException(Response.status(503).type(MediaType.APPLICATION_JSON).header(
                    HttpHeaders.RETRY_AFTER, "30").entity(
                            new Problem(503, "Too many listeners", "The execution"
                                    + " events have as many listeners as they allow; try again later", null))
                    .build());
        }
    }
}
