package org.opendpm.api.security;

import java.time.Duration;

import javax.security.auth.login.LoginException;

/**
 * A login refused by the {@link LoginThrottle} before its credentials were checked: too many failed logins for the
 * user name or from the client address. It says nothing about whether the credentials were right.
 */
public class LoginThrottledException extends LoginException {

    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    public LoginThrottledException(Duration retryAfter) {
        super("Too many failed logins for this user name or from this address; try again in "
                + secondsRoundedUp(retryAfter) + " s");
        this.retryAfter = retryAfter;
    }

    /** How long the caller must wait before the next attempt is checked. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** The wait in whole seconds, rounded up and at least 1, as HTTP's {@code Retry-After} wants it. */
    public long retryAfterSeconds() {
        return secondsRoundedUp(retryAfter);
    }

    /** A delay in whole seconds, rounded up and at least 1, so that waiting that long is always enough. */
    public static long secondsRoundedUp(Duration d) {
        long s = d.toSeconds() + (d.toNanosPart() > 0 ? 1 : 0);
        return Math.max(1, s);
    }
}
