package org.opendpm.packages.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.Test;
import org.opendpm.api.packages.PackageOutcome;
import org.opendpm.api.packages.PackageResult;
import org.opendpm.packages.internal.TestDatabase;

/** Per-package results (PKG-2) kept in the database with their execution. */
public class JdbcPackageResultsTest {

    @Test
    public void resultsAreKeptPerExecutionInTheOrderTheyEnded_PKG2() {
        JdbcPackageResults results = new JdbcPackageResults(TestDatabase.create());
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        PackageResult lib = new PackageResult(7, 1, 2, "lib", 0, PackageOutcome.SUCCESS, "Setting up lib",
                Duration.ofMillis(1500), t);
        PackageResult app = new PackageResult(7, 1, 3, "app", 3010, PackageOutcome.RESTART_NEEDED, "x".repeat(5000),
                Duration.ofSeconds(3), t.plusSeconds(2));
        results.record(app);
        results.record(lib);
        results.record(new PackageResult(8, 2, 2, "lib", 1, PackageOutcome.FAILED, "", Duration.ZERO, t));

        assertThat(results.of(7)).hasSize(2);
        assertThat(results.of(7).get(0)).isEqualTo(lib);
        PackageResult stored = results.of(7).get(1);
        assertThat(stored.outcome()).isEqualTo(PackageOutcome.RESTART_NEEDED);
        assertThat(stored.output()).as("the last 4 KiB").hasSize(4096);
        assertThat(results.of(8)).singleElement().extracting(PackageResult::exitCode).isEqualTo(1);
        assertThat(results.of(9)).isEmpty();
    }
}
