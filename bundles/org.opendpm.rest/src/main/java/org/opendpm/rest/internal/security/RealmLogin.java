package org.opendpm.rest.internal.security;

import java.security.Principal;
import java.util.Set;
import java.util.stream.Collectors;

import javax.security.auth.Subject;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.opendpm.api.StoreUnavailableException;
import org.opendpm.api.security.ClientAddressCallback;

/**
 * A login through the JAAS realm, the one way REST checks a password: HTTP Basic on every request and the console's
 * sign-in both come here, so both are throttled alike ({@link org.opendpm.api.security.LoginThrottledException}) and
 * the realm learns the client's address.
 */
final class RealmLogin {

    private final Configuration jaas;

    /** {@code jaas} lists the realms; null for the JVM's JAAS configuration (Karaf's, with its realms). */
    RealmLogin(Configuration jaas) {
        this.jaas = jaas;
    }

    /**
     * The roles of the user when the password is right.
     *
     * @throws javax.security.auth.login.FailedLoginException for a wrong name or password
     * @throws org.opendpm.api.security.LoginThrottledException while the name or address is throttled
     * @throws LoginException when the realm could not check it (see {@link #causedByStore})
     */
    Set<String> login(String realm, String user, char[] password, String address) throws LoginException {
        Subject subject = new Subject();
        LoginContext login = new LoginContext(realm, subject, callbacks -> {
            for (var cb : callbacks) {
                if (cb instanceof NameCallback n) {
                    n.setName(user);
                } else if (cb instanceof PasswordCallback p) {
                    p.setPassword(password);
                } else if (cb instanceof ClientAddressCallback a) {
                    a.setAddress(address);
                } else {
                    throw new UnsupportedCallbackException(cb);
                }
            }
        }, jaas);
        login.login();
        return subject.getPrincipals(RolePrincipal.class).stream().map(Principal::getName)
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Whether the login failed because the database is away (503 rather than 401). */
    static boolean causedByStore(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StoreUnavailableException) {
                return true;
            }
        }
        return false;
    }
}
