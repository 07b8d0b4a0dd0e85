package org.opendpm.core.internal.security;

import java.io.IOException;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;

import org.apache.karaf.jaas.boot.principal.ClientPrincipal;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.opendpm.api.OpenDpmException;
import org.opendpm.api.security.ClientAddressCallback;
import org.opendpm.api.security.LoginThrottle;
import org.opendpm.api.security.LoginThrottledException;
import org.opendpm.api.security.Role;
import org.opendpm.api.security.User;
import org.opendpm.api.security.UserService;

/**
 * Checks a name and password against the {@link UserService}. On success the subject gets a user principal and one
 * role principal per role held, each role bringing the ones below it (admin is also operator and viewer). An admin
 * also gets Karaf's shell roles {@code manager} and {@code systembundles}.
 *
 * <p>Every login passes the {@link LoginThrottle} first, with the client's address: REST answers the
 * {@link ClientAddressCallback}; Karaf's SSH and JMX servers do not, but put a {@link ClientPrincipal} with it into
 * the subject before the login. While the user name or address is delayed the login fails with
 * {@link LoginThrottledException} and the password is not checked.
 */
public class UserServiceLoginModule implements LoginModule {

    static final String USER_SERVICE_OPTION = "org.opendpm.userService";
    static final String THROTTLE_OPTION = "org.opendpm.loginThrottle";
    static final List<String> KARAF_ADMIN_ROLES = List.of("manager", "systembundles");

    private Subject subject;
    private CallbackHandler handler;
    private UserService users;
    private LoginThrottle throttle;
    private User user;
    private final List<Principal> principals = new ArrayList<>();

    @Override
    public void initialize(Subject subject, CallbackHandler callbackHandler, Map<String, ?> sharedState,
            Map<String, ?> options) {
        this.subject = subject;
        this.handler = callbackHandler;
        this.users = (UserService) options.get(USER_SERVICE_OPTION);
        this.throttle = (LoginThrottle) options.get(THROTTLE_OPTION);
    }

    @Override
    public boolean login() throws LoginException {
        if (users == null || throttle == null) {
            throw new LoginException("The OpenDPM user service is not available");
        }
        var name = new NameCallback("user: ");
        var password = new PasswordCallback("password: ", false);
        try {
            handler.handle(new Callback[]{ name, password });
        } catch (IOException | UnsupportedCallbackException e) {
            throw new LoginException("Cannot read the credentials: " + e.getMessage());
        }
        char[] secret = password.getPassword();
        try {
            String address = clientAddress();
            Duration wait = throttle.delay(name.getName(), address);
            if (!wait.isZero()) {
                throw new LoginThrottledException(wait);
            }
            Optional<User> found = users.authenticate(name.getName(), secret == null ? new char[0] : secret);
            if (found.isEmpty()) {
                throw failed(name.getName(), address);
            }
            throttle.reset(name.getName());
            user = found.get();
            return true;
        } catch (OpenDpmException e) {
            // For example the database is away: the login fails, and the caller can tell why.
            LoginException le = new LoginException(e.getMessage());
            le.initCause(e);
            throw le;
        } finally {
            if (secret != null) {
                Arrays.fill(secret, '\0');
            }
            password.clearPassword();
        }
    }

    private FailedLoginException failed(String name, String address) {
        throttle.failed(name, address);
        return new FailedLoginException("Wrong user name or password");
    }

    /** The client's address as the caller tells it, else as Karaf's SSH or JMX server put it in the subject, else null. */
    private String clientAddress() throws LoginException {
        var address = new ClientAddressCallback();
        try {
            handler.handle(new Callback[]{ address });
            return address.getAddress();
        } catch (UnsupportedCallbackException e) {
            return subject.getPrincipals(ClientPrincipal.class).stream().map(ClientPrincipal::getAddress)
                    .map(UserServiceLoginModule::host).filter(h -> h != null).findFirst().orElse(null);
        } catch (IOException e) {
            throw new LoginException("Cannot read the client address: " + e.getMessage());
        }
    }

    /**
     * The host of an address as Karaf writes it: SSH gives the socket address ({@code /192.0.2.1:40022},
     * {@code host/192.0.2.1:40022}, {@code /[2001:db8::1]:40022}), JMX the host alone; null when there is none.
     */
    static String host(String address) {
        if (address == null) {
            return null;
        }
        String a = address.substring(address.lastIndexOf('/') + 1).strip();
        if (a.startsWith("[")) {
            int end = a.indexOf(']');
            a = end < 0 ? a.substring(1) : a.substring(1, end);
        } else if (a.indexOf(':') >= 0 && a.indexOf(':') == a.lastIndexOf(':')) {
            a = a.substring(0, a.indexOf(':'));
        }
        return a.isEmpty() ? null : a;
    }

    @Override
    public boolean commit() {
        if (user == null) {
            return false;
        }
        principals.add(new UserPrincipal(user.name()));
        Role highest = user.roles().stream().max(Enum::compareTo).orElseThrow();
        for (Role r : Role.values()) {
            if (r.compareTo(highest) <= 0) {
                principals.add(new RolePrincipal(r.id()));
            }
        }
        if (highest == Role.ADMIN) {
            // Karaf's own command ACLs speak of "manager" and "systembundles"; an OpenDPM admin runs the whole shell.
            KARAF_ADMIN_ROLES.forEach(r -> principals.add(new RolePrincipal(r)));
        }
        subject.getPrincipals().addAll(principals);
        return true;
    }

    @Override
    public boolean abort() {
        return logout();
    }

    @Override
    public boolean logout() {
        subject.getPrincipals().removeAll(principals);
        principals.clear();
        user = null;
        return true;
    }
}
