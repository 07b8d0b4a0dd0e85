package org.opendpm.rest.internal.dto;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.Schema;

/** An error answer (after RFC 9457): what went wrong and, for bad input, which field. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Problem", description = "An error: HTTP status, short title, detail, and the field at fault if any")
public record Problem(int status, String title, String detail, String field) {
}
