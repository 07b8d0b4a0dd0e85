package org.opendpm.rest.internal.security;

/**
 * The console's session cookie: HttpOnly so no script reads it, SameSite=Strict so no other site's page sends it,
 * Secure when the sign-in came over HTTPS, and sent only under {@code /opendpm} (the API and the console). It has no
 * Max-Age: it ends with the browser, and the server ends it sooner (idle and absolute time-outs, sign-out).
 */
public final class SessionCookie {

    public static final String NAME = "OPENDPM_SESSION";
    /** The header every change authenticated by the cookie must carry, with the session's CSRF token. */
    public static final String CSRF_HEADER = "X-CSRF-Token";
    static final String PATH = "/opendpm";

    private SessionCookie() {
    }

    /** The {@code Set-Cookie} value that hands out a session id. */
    public static String set(String id, boolean secure) {
        return NAME + "=" + id + "; Path=" + PATH + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /** The {@code Set-Cookie} value that makes the browser forget the cookie (sign-out). */
    public static String clear(boolean secure) {
        return NAME + "=; Path=" + PATH + "; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }
}
