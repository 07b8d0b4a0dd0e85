package org.opendpm.api.security;

import java.time.Duration;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Slows down password guessing: after a few consecutive failed logins for one user name, or more failures from one
 * client address, further logins for it are refused for a delay that doubles with each further failure, up to a cap.
 * Nothing is locked for good: a delay runs out by itself. Every front end that checks a password (the JAAS realm
 * {@code opendpm}, and through it REST, SSH and JMX) asks {@link #delay} first and does not check the password at all
 * while it is not zero, so a throttled caller learns nothing and costs no hashing.
 *
 * <p>User names and addresses are taken as given (an unknown user is throttled like a known one, so the answer does
 * not tell which names exist). A {@code null} address means the front end does not know it; then only the user name
 * counts.
 */
@ProviderType
public interface LoginThrottle {

    /** How long a login for this user from this address must still wait; {@link Duration#ZERO} when it may go on. */
    Duration delay(String user, String address);

    /** Counts a login refused for wrong credentials (a wrong password or an unknown user). */
    void failed(String user, String address);

    /**
     * Forgets the failures of a user name, ending its delay: after a successful login, or when an administrator
     * releases a user whose name someone keeps guessing at. The failures of addresses are not forgotten.
     */
    void reset(String user);
}
