package org.opendpm.rest.internal.dto;

import java.util.List;

/** The roles a user is to hold. */
public record RolesDto(List<String> roles) {
}
