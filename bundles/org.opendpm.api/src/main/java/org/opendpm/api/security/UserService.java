package org.opendpm.api.security;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/** Users, their password hashes and roles, kept in the database. Passwords are never stored in clear. */
@ProviderType
public interface UserService {

    List<User> list();

    Optional<User> find(String name);

    /**
     * Creates a user.
     *
     * @throws org.opendpm.api.ValidationException for a bad name, a weak password or no role
     * @throws org.opendpm.api.ConflictException when the name is taken
     */
    User create(String name, char[] password, Set<Role> roles);

    User setRoles(String name, Set<Role> roles);

    void setPassword(String name, char[] password);

    /**
     * Deletes a user.
     *
     * @throws org.opendpm.api.ConflictException when it is the last admin
     */
    void delete(String name);

    /** The user when the password is right; empty otherwise (unknown user or wrong password alike). */
    Optional<User> authenticate(String name, char[] password);
}
