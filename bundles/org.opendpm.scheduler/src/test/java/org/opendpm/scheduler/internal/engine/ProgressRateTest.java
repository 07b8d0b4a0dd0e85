package org.opendpm.scheduler.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.Test;
import org.opendpm.scheduler.internal.engine.ProgressRate.Snapshot;

/** IMG-6: rate and ETA from progress reports, smoothed over the last seconds, and the figures a step leaves. */
public class ProgressRateTest {

    private static final long MIB = 1 << 20;
    private final ProgressRate rates = new ProgressRate();
    private final Instant t0 = Instant.parse("2026-03-01T10:00:00Z");

    private Optional<Snapshot> at(long seconds, long done) {
        return rates.update(0, "Backup", Optional.of(new StepContextImpl.Progress(done, 100 * MIB, "bytes")),
                t0.plusSeconds(seconds));
    }

    private Optional<Snapshot> quietAt(long seconds) {
        return rates.update(0, "Backup", Optional.empty(), t0.plusSeconds(seconds));
    }

    @Test
    public void theFirstReportHasNoRateTheNextOnesDo() {
        assertThat(at(0, 0)).contains(new Snapshot(0, 100 * MIB, "bytes", -1, -1));
        assertThat(at(1, 10 * MIB)).contains(new Snapshot(10 * MIB, 100 * MIB, "bytes", 10 * MIB, 9));
        // 30 MiB over 2 s: 15 MiB/s, 70 MiB left: 5 s (rounded up).
        assertThat(at(2, 30 * MIB).get().rate()).isEqualTo(15 * MIB);
        assertThat(at(2, 30 * MIB).get().etaSeconds()).isEqualTo(5);
    }

    @Test
    public void theRateForgetsWhatIsOlderThanTheWindow() {
        at(0, 0);
        at(1, 50 * MIB); // a burst
        for (int s = 2; s <= 8; s++) {
            at(s, 50 * MIB + (s - 1) * MIB);
        }
        // Only the last 5 s count: 1 MiB/s, not the burst.
        assertThat(at(9, 58 * MIB).get().rate()).isEqualTo(MIB);
    }

    @Test
    public void aStalledTransferFallsToNoRateAndNoEstimate() {
        at(0, 0);
        at(1, 10 * MIB);
        Snapshot s = null;
        for (int t = 2; t <= 8; t++) {
            s = quietAt(t).orElse(s);
        }
        assertThat(s.rate()).isZero();
        assertThat(s.etaSeconds()).isEqualTo(-1);
        assertThat(quietAt(9)).as("nothing changed, nothing to store").isEmpty();
    }

    @Test
    public void aResumedTransferCountingFromLessStartsAfresh() {
        at(0, 0);
        at(1, 40 * MIB);
        assertThat(at(2, 20 * MIB).get().rate()).as("one sample since the drop").isEqualTo(-1);
        assertThat(at(3, 30 * MIB).get().rate()).isEqualTo(10 * MIB);
    }

    @Test
    public void unknownTotalsHaveARateButNoEstimateAndDoneHasNone() {
        ProgressRate r = new ProgressRate();
        r.update(0, "Copy", Optional.of(new StepContextImpl.Progress(0, -1, "files")), t0);
        Snapshot s = r.update(0, "Copy", Optional.of(new StepContextImpl.Progress(4, -1, "files")), t0.plusSeconds(2))
                .get();
        assertThat(s.rate()).isEqualTo(2);
        assertThat(s.etaSeconds()).isEqualTo(-1);
        assertThat(at(5, 100 * MIB).get().etaSeconds()).isZero();
    }

    @Test
    public void aByteCountingStepLeavesItsFiguresAndOthersDoNot() {
        // A step no tick saw before its end has no start to count from: stored, but no figures.
        rates.stepEnded(1, "Backup", Optional.of(new StepContextImpl.Progress(100 * MIB, 100 * MIB, "bytes")),
                t0.plusSeconds(60));
        assertThat(rates.figures()).isEmpty();
        assertThat(rates.takeUnwritten().get().snapshot()).isEqualTo(new Snapshot(100 * MIB, 100 * MIB, "bytes", -1,
                0));

        ProgressRate r = new ProgressRate();
        r.update(1, "Backup", Optional.empty(), t0);
        r.update(1, "Backup", Optional.of(new StepContextImpl.Progress(50 * MIB, 100 * MIB, "bytes")),
                t0.plusSeconds(2));
        r.stepEnded(1, "Backup", Optional.of(new StepContextImpl.Progress(100 * MIB, 100 * MIB, "bytes")),
                t0.plusSeconds(4));
        assertThat(r.figures()).isEqualTo("Backup: 100.0 MiB in 4 s, 25.0 MiB/s on average");
        assertThat(r.takeUnwritten()).hasValueSatisfying(f -> {
            assertThat(f.step()).isEqualTo(1);
            assertThat(f.snapshot().done()).isEqualTo(100 * MIB);
        });
        assertThat(r.takeUnwritten()).isEmpty();
        // A late report of the ended step changes nothing.
        assertThat(r.update(1, "Backup", Optional.of(new StepContextImpl.Progress(1, 2, "bytes")), t0.plusSeconds(5)))
                .isEmpty();
        r.update(2, "Local boot", Optional.of(new StepContextImpl.Progress(1, 1, "disks")), t0.plusSeconds(6));
        r.close();
        assertThat(r.figures()).isEqualTo("Backup: 100.0 MiB in 4 s, 25.0 MiB/s on average");
    }

    @Test
    public void sizesAndDurationsReadWell() {
        assertThat(ProgressRate.size(512)).isEqualTo("512 B");
        assertThat(ProgressRate.size(3L << 30)).isEqualTo("3.0 GiB");
        assertThat(ProgressRate.duration(Duration.ofSeconds(123))).isEqualTo("2 min 3 s");
        assertThat(ProgressRate.duration(Duration.ofMinutes(125))).isEqualTo("2 h 5 min");
    }
}
