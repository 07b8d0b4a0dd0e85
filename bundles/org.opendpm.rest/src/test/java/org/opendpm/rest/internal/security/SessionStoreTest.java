package org.opendpm.rest.internal.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Annotation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;

import org.junit.Test;
import org.opendpm.api.security.Role;

/** Console sessions end when idle, when old, at sign-out, and are bounded in number, overall and per user. */
public class SessionStoreTest {

    static SessionStore.Config config(int idleMinutes, int absoluteHours, int maxSessions, int maxPerUser) {
        return new SessionStore.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SessionStore.Config.class;
            }

            @Override
            public int idleMinutes() {
                return idleMinutes;
            }

            @Override
            public int absoluteHours() {
                return absoluteHours;
            }

            @Override
            public int maxSessions() {
                return maxSessions;
            }

            @Override
            public int maxPerUser() {
                return maxPerUser;
            }
        };
    }

    /** A clock the test moves. */
    static final class Moving extends Clock {
        Instant now = Instant.parse("2026-01-01T08:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private final Moving clock = new Moving();
    private final SessionStore store = new SessionStore(config(30, 12, 100, 3), clock);

    @Test
    public void aSessionIsFoundByItsIdAndHasItsOwnRandomCsrfToken() {
        var a = store.create("alice", Set.of("viewer"), Set.of(Role.VIEWER));
        var b = store.create("alice", Set.of("viewer"), Set.of(Role.VIEWER));
        assertThat(a.id()).hasSize(43).isNotEqualTo(b.id());
        assertThat(a.session().csrfToken()).hasSize(43).isNotEqualTo(b.session().csrfToken())
                .isNotEqualTo(a.id());
        assertThat(store.find(a.id())).contains(a.session());
        assertThat(store.find(a.id().substring(1))).isEmpty();
        assertThat(store.find(null)).isEmpty();
        assertThat(store.find("x".repeat(10_000))).isEmpty();
    }

    @Test
    public void anIdleSessionEndsAndUseKeepsItAliveUntilTheAbsoluteTimeOut() {
        var used = store.create("alice", Set.of("viewer"), Set.of(Role.VIEWER));
        var idle = store.create("bob", Set.of("viewer"), Set.of(Role.VIEWER));
        for (int i = 0; i < 12 * 3 - 1; i++) {
            clock.now = clock.now.plus(Duration.ofMinutes(20));
            assertThat(store.find(used.id())).as("used every 20 minutes, after " + (i + 1) * 20 + " min")
                    .isPresent();
            if (i == 1) {
                assertThat(store.find(idle.id())).as("unused for 40 minutes").isEmpty();
            }
        }
        clock.now = clock.now.plus(Duration.ofMinutes(20));
        assertThat(store.find(used.id())).as("12 hours after sign-in").isEmpty();
    }

    @Test
    public void signOutEndsTheSessionAtOnce() {
        var s = store.create("alice", Set.of("viewer"), Set.of(Role.VIEWER));
        assertThat(store.end(s.id())).isTrue();
        assertThat(store.find(s.id())).isEmpty();
        assertThat(store.end(s.id())).isFalse();
    }

    @Test
    public void oneUserSigningInAgainAndAgainEndsOnlyTheirOwnLongestUnusedSession() {
        var bob = store.create("bob", Set.of("viewer"), Set.of(Role.VIEWER));
        var first = store.create("alice", Set.of("viewer"), Set.of(Role.VIEWER));
        var second = store.create("alice", Set.of("viewer"), Set.of(Role.VIEWER));
        var third = store.create("alice", Set.of("viewer"), Set.of(Role.VIEWER));
        store.find(first.id());
        var fourth = store.create("alice", Set.of("viewer"), Set.of(Role.VIEWER));
        assertThat(store.find(second.id())).as("alice's longest unused").isEmpty();
        assertThat(store.find(first.id())).isPresent();
        assertThat(store.find(third.id())).isPresent();
        assertThat(store.find(fourth.id())).isPresent();
        assertThat(store.find(bob.id())).isPresent();
    }

    @Test
    public void theNumberOfSessionsIsBoundedTheLongestUnusedEndingFirst() {
        SessionStore small = new SessionStore(config(30, 12, 10, 3), clock);
        Set<String> ids = new HashSet<>();
        String kept = null;
        for (int i = 0; i < 50; i++) {
            var s = small.create("user" + i, Set.of("viewer"), Set.of(Role.VIEWER));
            ids.add(s.id());
            if (i == 0) {
                kept = s.id();
            }
            small.find(kept);
            assertThat(small.size()).isLessThanOrEqualTo(10);
        }
        assertThat(small.find(kept)).as("used all along").isPresent();
        assertThat(ids.stream().filter(id -> small.find(id).isPresent()).count()).isEqualTo(10);
    }
}
