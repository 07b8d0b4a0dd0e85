package org.opendpm.rest.internal.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.opendpm.api.security.Role;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The console's sign-in sessions, kept in this process's memory. A session is login state like the throttle's
 * counters: a restart signs every console user out, which they see as the login page, and nothing of the system is
 * lost. The database was not chosen because every console request would then cost a read and a write (the last use)
 * for state that is worthless after a restart. Servers sharing one database in a future cluster would have to share
 * this too, or a console would stick to one server.
 *
 * <p>Only the SHA-256 of a session id is kept, never the id, so a heap dump hands out no live session. A session ends
 * after {@code idleMinutes} unused, after {@code absoluteHours} however used, and at sign-out. The number is bounded:
 * at most {@code maxSessions} in all, the longest unused ended first when full, and at most {@code maxPerUser} for
 * one user name, that user's longest unused ended first, so one account signing in again and again cannot end the
 * sessions of others.
 */
@Component(service = SessionStore.class, configurationPid = "org.opendpm.rest.session")
@Designate(ocd = SessionStore.Config.class)
public class SessionStore {

    @ObjectClassDefinition(name = "OpenDPM console sessions")
    public @interface Config {
        @AttributeDefinition(description = "Minutes a session may go unused before it ends")
        int idleMinutes() default 30;

        @AttributeDefinition(description = "Hours after sign-in when a session ends however it is used")
        int absoluteHours() default 12;

        @AttributeDefinition(description = "Sessions kept at most; the longest unused ends first")
        int maxSessions() default 10_000;

        @AttributeDefinition(description = "Sessions of one user name kept at most")
        int maxPerUser() default 20;
    }

    /**
     * A signed-in user; {@code csrfToken} must come with every change the session's cookie authenticates.
     *
     * @param roles the roles the realm granted at sign-in
     * @param storedRoles the user's roles as the database held them at sign-in: when they differ from the stored
     *            ones now, or the user is gone, the session ends
     */
    public record Session(String user, Set<String> roles, Set<Role> storedRoles, String csrfToken,
            Instant createdAt) {
    }

    /** A new session: the id for the cookie (never stored) and the session. */
    public record Created(String id, Session session) {
    }

    private static final class Entry {
        final Session session;
        Instant lastUsed;

        Entry(Session session, Instant lastUsed) {
            this.session = session;
            this.lastUsed = lastUsed;
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    // Access order: the head is the longest unused.
    private final LinkedHashMap<String, Entry> sessions = new LinkedHashMap<>(64, 0.75f, true);
    private Duration idle;
    private Duration absolute;
    private int maxSessions;
    private int maxPerUser;

    @Activate
    public SessionStore(Config config) {
        this(config, Clock.systemUTC());
    }

    SessionStore(Config config, Clock clock) {
        this.clock = clock;
        modified(config);
    }

    @Modified
    synchronized void modified(Config config) {
        idle = Duration.ofMinutes(Math.max(1, config.idleMinutes()));
        absolute = Duration.ofHours(Math.max(1, config.absoluteHours()));
        maxSessions = Math.max(1, config.maxSessions());
        maxPerUser = Math.max(1, config.maxPerUser());
    }

    /** Starts a session for a user who has just given the right password. */
    public synchronized Created create(String user, Set<String> roles, Set<Role> storedRoles) {
        Instant now = clock.instant();
        dropExpired(now);
        int ofUser = 0;
        String oldestOfUser = null;
        for (Map.Entry<String, Entry> e : sessions.entrySet()) {
            if (e.getValue().session.user().equals(user)) {
                if (oldestOfUser == null) {
                    oldestOfUser = e.getKey();
                }
                ofUser++;
            }
        }
        if (ofUser >= maxPerUser) {
            sessions.remove(oldestOfUser);
        }
        while (sessions.size() >= maxSessions) {
            Iterator<String> eldest = sessions.keySet().iterator();
            eldest.next();
            eldest.remove();
        }
        String id = token();
        Session session = new Session(user, Set.copyOf(roles), Set.copyOf(storedRoles), token(), now);
        sessions.put(hash(id), new Entry(session, now));
        return new Created(id, session);
    }

    /** The live session of this id, marked as used now; empty for an unknown, ended or malformed id. */
    public synchronized Optional<Session> find(String id) {
        if (id == null || id.length() > 128) {
            return Optional.empty();
        }
        String key = hash(id);
        Entry e = sessions.get(key);
        if (e == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (expired(e, now)) {
            sessions.remove(key);
            return Optional.empty();
        }
        e.lastUsed = now;
        return Optional.of(e.session);
    }

    /** Ends the session of this id (sign-out); false when there was none. */
    public synchronized boolean end(String id) {
        return id != null && id.length() <= 128 && sessions.remove(hash(id)) != null;
    }

    synchronized int size() {
        return sessions.size();
    }

    private boolean expired(Entry e, Instant now) {
        return !now.isBefore(e.lastUsed.plus(idle)) || !now.isBefore(e.session.createdAt().plus(absolute));
    }

    private void dropExpired(Instant now) {
        sessions.values().removeIf(e -> expired(e, now));
    }

    /** 256 random bits, URL-safe: a session id or a CSRF token. */
    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String hash(String id) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(id.getBytes(
                    StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
