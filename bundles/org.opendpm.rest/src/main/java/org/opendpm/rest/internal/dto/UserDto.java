package org.opendpm.rest.internal.dto;

import java.util.List;

import org.opendpm.api.security.Role;
import org.opendpm.api.security.User;

/** A user and the roles it holds. */
public record UserDto(String name, List<String> roles) {

    public static UserDto of(User u) {
        return new UserDto(u.name(), u.roles().stream().sorted().map(Role::id).toList());
    }
}
