package org.opendpm.rest.internal;

/** Role names for {@code @RolesAllowed}; a higher role holds the lower ones too. */
public final class Roles {
    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";
    public static final String ADMIN = "admin";

    private Roles() {
    }
}
