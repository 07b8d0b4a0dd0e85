package org.opendpm.rest.internal.dto;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * An error answer (after RFC 9457): what went wrong and, for bad input, which field; for a refused file (CSV import,
 * rule file), {@code errors} lists every bad line.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Problem", description = "An error: HTTP status, short title, detail, the field at fault if any, and"
        + " for a refused file every bad line")
public record Problem(int status, String title, String detail, String field, List<LineError> errors) {

    public Problem(int status, String title, String detail, String field) {
        this(status, title, detail, field, null);
    }

    /** One bad line of a file: its 1-based number, the field or column at fault (if one), and why. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LineError(int line, String field, String message) {
    }
}
