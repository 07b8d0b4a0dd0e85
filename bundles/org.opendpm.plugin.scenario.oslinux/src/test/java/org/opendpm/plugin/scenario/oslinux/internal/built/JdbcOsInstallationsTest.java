package org.opendpm.plugin.scenario.oslinux.internal.built;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.opendpm.plugin.scenario.oslinux.internal.TestDatabase;

/** OSI-2: the installer's built call completes the waiting step once; any other token does nothing. */
public class JdbcOsInstallationsTest {

    private final JdbcOsInstallations installations = new JdbcOsInstallations(TestDatabase.create());

    private static String token(String path) {
        assertThat(path).startsWith(JdbcOsInstallations.BUILT_PATH);
        return path.substring(JdbcOsInstallations.BUILT_PATH.length());
    }

    @Test
    public void theBuiltCallCompletesTheWaitingStepOnce() throws Exception {
        String token = token(installations.issue(41, 7));
        assertThat(token).matches("[A-Za-z0-9_-]{43}");
        CompletableFuture<Void> waiting = installations.awaitBuilt(41).toCompletableFuture();
        assertThat(waiting).isNotDone();
        assertThat(installations.built("A".repeat(43))).isFalse();
        assertThat(installations.built("short")).isFalse();
        assertThat(waiting).isNotDone();
        assertThat(installations.built(token)).isTrue();
        waiting.get(5, TimeUnit.SECONDS);
        assertThat(installations.built(token)).as("used").isFalse();
        assertThat(installations.builtAt(41)).isPresent();
        // A step carried out again (after a restart) finds it built.
        assertThat(installations.awaitBuilt(41).toCompletableFuture()).isDone();
        assertThat(installations.withdraw(41)).isTrue();
        assertThat(installations.builtAt(41)).isEmpty();
    }

    @Test
    public void issuingAgainReplacesTheTokenAndWithdrawingStopsTheWait() {
        String first = token(installations.issue(42, 7));
        String second = token(installations.issue(42, 7));
        assertThat(second).isNotEqualTo(first);
        assertThat(installations.built(first)).isFalse();
        CompletableFuture<Void> waiting = installations.awaitBuilt(42).toCompletableFuture();
        installations.withdraw(42);
        assertThat(waiting).isCancelled();
        assertThat(installations.built(second)).isFalse();
    }
}
