package org.opendpm.api.security;

import java.util.Locale;
import java.util.Optional;

/** What a user may do: viewer reads, operator also executes, admin also configures. */
public enum Role {
    VIEWER, OPERATOR, ADMIN;

    /** The name used in JAAS principals and {@code @RolesAllowed}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> parse(String id) {
        for (Role r : values()) {
            if (r.id().equals(id)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
