package org.opendpm.api.security;

import java.util.Set;

/**
 * A user of the REST API, the console and the shell.
 *
 * @param name the login name
 * @param roles the roles held; each role implies the ones below it
 */
public record User(String name, Set<Role> roles) {
    public User {
        roles = Set.copyOf(roles);
    }
}
