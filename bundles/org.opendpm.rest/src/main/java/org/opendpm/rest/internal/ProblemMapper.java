package org.opendpm.rest.internal;

import java.util.List;
import java.util.stream.Collectors;

import javax.ws.rs.WebApplicationException;
import javax.ws.rs.core.HttpHeaders;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.ext.ExceptionMapper;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.StoreBusyException;
import org.opendpm.api.StoreUnavailableException;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.InvalidFileException;
import org.opendpm.rest.internal.dto.Problem;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsApplicationSelect;
import org.osgi.service.jaxrs.whiteboard.propertytypes.JaxrsExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/** Every error leaves as a problem body with the right status; unexpected ones are logged and not detailed. */
@Component(service = ExceptionMapper.class)
@JaxrsExtension
@JaxrsApplicationSelect(OpenDpmApplication.SELECT)
public class ProblemMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemMapper.class);
    static final int BUSY_RETRY_AFTER_SECONDS = 1;

    @Override
    public Response toResponse(Throwable e) {
        Throwable t = unwrap(e);
        if (t instanceof InvalidFileException f) {
            List<Problem.LineError> errors = f.problems().stream()
                    .map(p -> new Problem.LineError(p.line(), p.field(), p.message())).toList();
            return Response.status(400).type(MediaType.APPLICATION_JSON)
                    .entity(new Problem(400, "Invalid file", f.getMessage(), null, errors)).build();
        }
        if (t instanceof ValidationException v) {
            return problem(400, "Invalid input", v.getMessage(), v.field());
        }
        if (t instanceof JsonProcessingException j) {
            return json(j);
        }
        if (t instanceof NotFoundException) {
            return problem(404, "Not found", t.getMessage(), null);
        }
        if (t instanceof ConflictException) {
            return problem(409, "Conflict", t.getMessage(), null);
        }
        if (t instanceof AgentUnavailableException) {
            return problem(409, "Agent not connected", t.getMessage(), null);
        }
        if (t instanceof AgentRequestException) {
            return problem(502, "Agent request failed", t.getMessage(), null);
        }
        if (t instanceof StoreBusyException) {
            // Other work held the database at that moment: the same request a moment later will do.
            return Response.fromResponse(problem(503, "Database busy, try again", t.getMessage(), null))
                    .header(HttpHeaders.RETRY_AFTER, BUSY_RETRY_AFTER_SECONDS).build();
        }
        if (t instanceof StoreUnavailableException) {
            return problem(503, "Database unavailable", t.getMessage(), null);
        }
        if (t instanceof WebApplicationException w) {
            Response r = w.getResponse();
            String title = Response.Status.fromStatusCode(r.getStatus()) == null
                    ? "Error"
                    : Response.Status.fromStatusCode(r.getStatus()).getReasonPhrase();
            return problem(r.getStatus(), title, w.getMessage(), null);
        }
        LOG.error("Unexpected error in a REST request", e);
        return problem(500, "Internal error", "The server failed; the cause is in its log", null);
    }

    /** CXF wraps what a message body reader throws; the cause says what was wrong with the body. */
    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while (t instanceof WebApplicationException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static Response json(JsonProcessingException j) {
        var loc = j.getLocation();
        String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
        if (j instanceof UnrecognizedPropertyException u) {
            return problem(400, "Unknown field", "Unknown field '" + path(u) + "'" + where + "; known fields: "
                    + u.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                            .collect(Collectors.joining(", ")),
                    path(u));
        }
        if (j instanceof InvalidFormatException f) {
            return problem(400, "Wrong type", "Field '" + path(f) + "' cannot be " + f.getValue() + " ("
                    + typeName(f.getTargetType()) + " expected)" + where, path(f));
        }
        if (j instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            return problem(400, "Wrong type", "Field '" + path(m) + "' has the wrong type ("
                    + typeName(m.getTargetType()) + " expected)" + where, path(m));
        }
        if (j instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            return problem(400, "Invalid input", "Field '" + path(m) + "': " + m.getOriginalMessage() + where,
                    path(m));
        }
        return problem(400, "Malformed JSON", "The body is not valid JSON" + where + ": " + j.getOriginalMessage(),
                null);
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "another value";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "a " + type.getSimpleName();
    }

    private static String path(JsonMappingException m) {
        var sb = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    static Response problem(int status, String title, String detail, String field) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new Problem(status, title, detail, field)).build();
    }
}
