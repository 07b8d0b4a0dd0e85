package org.opendpm.rest.internal.dto;

import java.util.List;

/** A user to create. */
public record NewUserDto(String name, String password, List<String> roles) {
}
