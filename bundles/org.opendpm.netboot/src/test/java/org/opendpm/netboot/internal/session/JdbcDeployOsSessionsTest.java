package org.opendpm.netboot.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.StoreUnavailableException;
import org.opendpm.api.ValidationException;
import org.opendpm.netboot.internal.LogCapture;
import org.opendpm.netboot.internal.intent.IntentFixture;

/** Deploy-OS session tokens over a migrated Derby database; the tables are the only state. */
public class JdbcDeployOsSessionsTest {

    private static final String MAC7 = "52:54:00:00:00:07";
    private static final String MAC8 = "52:54:00:00:00:08";

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final IntentFixture f = new IntentFixture();
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private JdbcDeployOsSessions sessions;
    private Path keyFile;

    public JdbcDeployOsSessionsTest() {
        f.machine(7, "web01", MAC7);
        f.machine(8, "web02", MAC8);
    }

    @After
    public void stopPool() {
        pool.shutdownNow();
    }

    private JdbcDeployOsSessions sessions() throws Exception {
        if (sessions == null) {
            keyFile = tmp.getRoot().toPath().resolve("data/netboot/deployos-session.key");
            sessions = new JdbcDeployOsSessions(f.database, SessionKey.loadOrCreate(keyFile), f.clock);
        }
        return sessions;
    }

    private Instant in(long seconds) {
        return f.clock.instant().plusSeconds(seconds);
    }

    @Test
    public void aGoodTokenIsRedeemedOnceForItsExecution() throws Exception {
        JdbcDeployOsSessions s = sessions();
        assertThat(s.token(7)).isEmpty();
        s.issue(7, 41, in(600));
        String token = s.token(7).orElseThrow();
        assertThat(token).matches("[A-Za-z0-9_-]{43}"); // 256 bits, base64url
        assertThat(s.token(7)).hasValue(token); // PXE, the boot server and iPXE each ask: same answer
        // The MAC as a Deploy-OS might spell it.
        assertThat(s.redeem("52-54-00-00-00-07".toUpperCase(), token)).hasValue(41L);
        assertThat(s.token(7)).isEmpty();
        // Second use.
        assertThat(s.redeem(MAC7, token)).isEmpty();
    }

    @Test
    public void aWrongTokenIsRefusedAndDoesNotUseTheSessionUp() throws Exception {
        JdbcDeployOsSessions s = sessions();
        s.issue(7, 41, in(600));
        String token = s.token(7).orElseThrow();
        String wrong = (token.charAt(0) == 'A' ? "B" : "A") + token.substring(1);
        assertThat(s.redeem(MAC7, wrong)).isEmpty();
        assertThat(s.redeem(MAC7, "")).isEmpty();
        assertThat(s.redeem(MAC7, token + "x")).isEmpty();
        assertThat(s.redeem(MAC7, "x".repeat(100_000))).isEmpty();
        assertThat(s.redeem(MAC7, null)).isEmpty();
        assertThat(s.redeem("52:54:00:00:00", token)).isEmpty();
        assertThat(s.redeem("zz:54:00:00:00:07", token)).isEmpty();
        assertThat(s.redeem("52:54:00:00:00:99", token)).isEmpty(); // no machine
        assertThat(s.redeem(MAC7, token)).hasValue(41L);
    }

    @Test
    public void aRedeemedSessionIsResumedWithItsKeyAnyNumberOfTimes() throws Exception {
        JdbcDeployOsSessions s = sessions();
        s.issue(7, 41, in(600));
        String token = s.token(7).orElseThrow();
        assertThat(s.resumeKey(MAC7)).isEmpty(); // not redeemed yet: no key to give
        String[] key = new String[1];
        String log = LogCapture.during(() -> {
            assertThat(s.redeem(MAC7, token)).hasValue(41L);
            key[0] = s.resumeKey(MAC7).orElseThrow();
            assertThat(s.resume(MAC7, key[0])).hasValue(41L);
            assertThat(s.resume("52-54-00-00-00-07".toUpperCase(), key[0])).hasValue(41L); // not used up
            assertThat(s.resume(MAC7, token)).isEmpty(); // the token is not a resume key
        }, JdbcDeployOsSessions.class);
        assertThat(key[0]).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(token);
        assertThat(log).contains("resumed").doesNotContain(key[0]).doesNotContain(token);
        // Derived, not stored: a second server instance over the same key file gives the same key.
        JdbcDeployOsSessions other = new JdbcDeployOsSessions(f.database, SessionKey.loadOrCreate(keyFile), f.clock);
        assertThat(other.resumeKey(MAC7)).hasValue(key[0]);
        assertThat(other.resume(MAC7, key[0])).hasValue(41L);
    }

    @Test
    public void aWrongResumeKeyIsRefused() throws Exception {
        JdbcDeployOsSessions s = sessions();
        s.issue(7, 41, in(600));
        s.issue(8, 41, in(600));
        assertThat(s.redeem(MAC7, s.token(7).orElseThrow())).hasValue(41L);
        assertThat(s.redeem(MAC8, s.token(8).orElseThrow())).hasValue(41L);
        String key = s.resumeKey(MAC7).orElseThrow();
        String wrong = (key.charAt(0) == 'A' ? "B" : "A") + key.substring(1);
        assertThat(s.resume(MAC7, wrong)).isEmpty();
        assertThat(s.resume(MAC7, "")).isEmpty();
        assertThat(s.resume(MAC7, key + "x")).isEmpty();
        assertThat(s.resume(MAC7, "x".repeat(100_000))).isEmpty();
        assertThat(s.resume(MAC7, null)).isEmpty();
        assertThat(s.resume(null, key)).isEmpty();
        assertThat(s.resume("zz:54:00:00:00:07", key)).isEmpty();
        assertThat(s.resume(MAC8, key)).isEmpty(); // another machine's key
        assertThat(s.resume("52:54:00:00:00:99", key)).isEmpty(); // no machine
        assertThat(s.resume(MAC7, key)).hasValue(41L);
    }

    @Test
    public void aRevokedOrReplacedSessionCannotBeResumed() throws Exception {
        JdbcDeployOsSessions s = sessions();
        s.issue(7, 41, in(600));
        assertThat(s.redeem(MAC7, s.token(7).orElseThrow())).hasValue(41L);
        String key = s.resumeKey(MAC7).orElseThrow();
        s.issue(7, 42, in(600)); // the next execution's boot: a new nonce
        assertThat(s.resume(MAC7, key)).isEmpty();
        assertThat(s.resumeKey(MAC7)).isEmpty(); // issued, not redeemed
        assertThat(s.redeem(MAC7, s.token(7).orElseThrow())).hasValue(42L);
        String second = s.resumeKey(MAC7).orElseThrow();
        assertThat(second).isNotEqualTo(key);
        assertThat(s.resume(MAC7, second)).hasValue(42L);
        s.revoke(7); // the execution ended
        assertThat(s.resume(MAC7, second)).isEmpty();
        assertThat(s.resumeKey(MAC7)).isEmpty();
    }

    @Test
    public void anExpiredSessionCannotBeResumed() throws Exception {
        JdbcDeployOsSessions s = sessions();
        s.issue(7, 41, in(60));
        assertThat(s.redeem(MAC7, s.token(7).orElseThrow())).hasValue(41L);
        String key = s.resumeKey(MAC7).orElseThrow();
        f.advance(59);
        assertThat(s.resume(MAC7, key)).hasValue(41L);
        f.advance(1);
        assertThat(s.resume(MAC7, key)).isEmpty();
        assertThat(s.resumeKey(MAC7)).isEmpty();
    }

    @Test
    public void anExpiredTokenIsRefused() throws Exception {
        JdbcDeployOsSessions s = sessions();
        s.issue(7, 41, in(60));
        String token = s.token(7).orElseThrow();
        f.advance(60);
        assertThat(s.token(7)).isEmpty();
        assertThat(s.redeem(MAC7, token)).isEmpty();
    }

    @Test
    public void anotherMachinesTokenIsRefused() throws Exception {
        JdbcDeployOsSessions s = sessions();
        s.issue(7, 41, in(600));
        String token7 = s.token(7).orElseThrow();
        assertThat(s.redeem(MAC8, token7)).isEmpty(); // machine 8 has no session
        s.issue(8, 41, in(600)); // same execution, other machine: another token
        String token8 = s.token(8).orElseThrow();
        assertThat(token8).isNotEqualTo(token7);
        assertThat(s.redeem(MAC8, token7)).isEmpty();
        assertThat(s.redeem(MAC7, token8)).isEmpty();
        assertThat(s.redeem(MAC7, token7)).hasValue(41L);
        assertThat(s.redeem(MAC8, token8)).hasValue(41L);
    }

    @Test
    public void aRevokedTokenIsRefused() throws Exception {
        JdbcDeployOsSessions s = sessions();
        s.issue(7, 41, in(600));
        String token = s.token(7).orElseThrow();
        s.revoke(7);
        s.revoke(7); // nothing left: no error
        s.revoke(99); // a machine deleted meanwhile: no error
        assertThat(s.token(7)).isEmpty();
        assertThat(s.redeem(MAC7, token)).isEmpty();
    }

    @Test
    public void reissuingReplacesTheTokenAndRenewsAUsedSession() throws Exception {
        JdbcDeployOsSessions s = sessions();
        s.issue(7, 41, in(600));
        String first = s.token(7).orElseThrow();
        assertThat(s.redeem(MAC7, first)).hasValue(41L);
        s.issue(7, 42, in(600));
        String second = s.token(7).orElseThrow();
        assertThat(second).isNotEqualTo(first);
        assertThat(s.redeem(MAC7, first)).isEmpty();
        s.issue(7, 43, in(600)); // replaced before use
        assertThat(s.redeem(MAC7, second)).isEmpty();
        assertThat(s.redeem(MAC7, s.token(7).orElseThrow())).hasValue(43L);
        assertThat(rows("SELECT COUNT(*) FROM deployos_session")).isEqualTo(1);
    }

    @Test
    public void badIssuesAreRefused() throws Exception {
        JdbcDeployOsSessions s = sessions();
        assertThatThrownBy(() -> s.issue(99, 41, in(600))).isInstanceOf(NotFoundException.class)
                .hasMessage("Machine 99 does not exist");
        assertThatThrownBy(() -> s.issue(7, 41, in(0))).isInstanceOf(ValidationException.class)
                .hasMessageContaining("expire in the future");
        assertThatThrownBy(() -> s.issue(7, 41, null)).isInstanceOf(ValidationException.class);
        assertThat(rows("SELECT COUNT(*) FROM deployos_session")).isZero();
    }

    @Test
    public void aSessionGoesWithItsMachine() throws Exception {
        JdbcDeployOsSessions s = sessions();
        s.issue(7, 41, in(600));
        s.issue(8, 41, in(600));
        f.deleteMachine(7);
        assertThat(rows("SELECT COUNT(*) FROM deployos_session")).isEqualTo(1);
    }

    @Test
    public void theTokenIsNeverStored() throws Exception {
        JdbcDeployOsSessions s = sessions();
        s.issue(7, 41, in(600));
        String token = s.token(7).orElseThrow();
        List<String> stored = f.database.inTransaction(c -> {
            List<String> values = new ArrayList<>();
            for (String table : List.of("deployos_session", "deployos_session_key")) {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT * FROM " + table)) {
                    while (rs.next()) {
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                            values.add(String.valueOf(rs.getObject(i)));
                        }
                    }
                }
            }
            return values;
        });
        assertThat(stored).isNotEmpty().noneMatch(v -> v.contains(token));
        assertThat(Files.readString(keyFile)).doesNotContain(token);
    }

    /** Two servers on one database with the same key file derive the same token; one with another key refuses. */
    @Test
    public void serversSharingTheDatabaseShareTheKey() throws Exception {
        JdbcDeployOsSessions first = sessions();
        first.issue(7, 41, in(600));
        Path copy = tmp.newFolder("other-server").toPath().resolve("deployos-session.key");
        Files.copy(keyFile, copy);
        JdbcDeployOsSessions second = new JdbcDeployOsSessions(f.database, SessionKey.loadOrCreate(copy), f.clock);
        assertThat(second.token(7)).isEqualTo(first.token(7));
        assertThat(second.redeem(MAC7, first.token(7).orElseThrow())).hasValue(41L);

        JdbcDeployOsSessions stranger = new JdbcDeployOsSessions(f.database,
                SessionKey.loadOrCreate(tmp.newFolder("third").toPath().resolve("k")), f.clock);
        assertThatThrownBy(() -> stranger.issue(8, 41, in(600))).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("copy their file here");
        assertThatThrownBy(() -> stranger.redeem(MAC8, "A".repeat(43))).isInstanceOf(StoreUnavailableException.class);
    }

    @Test
    public void theKeyFileIsOwnerOnlyAndKept() throws Exception {
        sessions().issue(7, 41, in(600));
        String token = sessions.token(7).orElseThrow();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        // A restart reads the same key.
        JdbcDeployOsSessions restarted = new JdbcDeployOsSessions(f.database, SessionKey.loadOrCreate(keyFile),
                f.clock);
        assertThat(restarted.token(7)).hasValue(token);
        Files.writeString(keyFile, "not a key");
        assertThatThrownBy(() -> SessionKey.loadOrCreate(keyFile)).hasMessageContaining("not a Deploy-OS session key");
        Files.write(keyFile, new byte[10_000]);
        assertThatThrownBy(() -> SessionKey.loadOrCreate(keyFile)).hasMessageContaining("too large");
    }

    @Test
    public void ofConcurrentRedeemsOfOneTokenExactlyOneWins() throws Exception {
        JdbcDeployOsSessions s = sessions();
        for (int round = 0; round < 5; round++) {
            s.issue(7, 100 + round, in(600));
            String token = s.token(7).orElseThrow();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<Long>>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Callable<Optional<Long>> redeem = () -> {
                    start.await();
                    return s.redeem(MAC7, token);
                };
                results.add(pool.submit(redeem));
            }
            start.countDown();
            int wins = 0;
            for (Future<Optional<Long>> r : results) {
                Optional<Long> got = r.get(30, TimeUnit.SECONDS);
                if (got.isPresent()) {
                    assertThat(got).hasValue(100L + round);
                    wins++;
                }
            }
            assertThat(wins).as("round %d", round).isEqualTo(1);
        }
    }

    private long rows(String sql) {
        return f.database.inTransaction(c -> {
            try (ResultSet rs = c.createStatement().executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
