package org.opendpm.transfer.internal.multicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.Test;

/** The pacing token bucket: a 64 KiB burst, then the rate (IMG-3, docs/multicast.md "Pacing"). */
public class PacerTest {

    private static final int DATAGRAM = 1450;

    @Test
    public void aBurstOf64KiBGoesAtOnceThenTheRateHolds() {
        Pacer p = new Pacer(1_000_000, 0);
        int burst = 0;
        while (p.take(DATAGRAM, 0) == 0) {
            burst++;
        }
        assertThat(burst).isEqualTo((int) (Pacer.BURST / DATAGRAM));
        // Over 10 simulated seconds, what leaves is the rate plus the burst, to within one datagram.
        long now = 0;
        long sent = (long) burst * DATAGRAM;
        while (now < 10_000_000_000L) {
            long wait = p.take(DATAGRAM, now);
            if (wait == 0) {
                sent += DATAGRAM;
            } else {
                now += wait;
            }
        }
        assertThat(sent).isBetween(10_000_000L + Pacer.BURST - 2 * DATAGRAM, 10_000_000L + Pacer.BURST + DATAGRAM);
    }

    @Test
    public void theWaitIsWhatTheMissingBytesTakeAtTheRate() {
        Pacer p = new Pacer(1_000_000, 0);
        while (p.take(DATAGRAM, 0) == 0) {
            // empty the bucket
        }
        long wait = p.take(DATAGRAM, 0);
        assertThat(wait).isPositive().isLessThanOrEqualTo(1_450_000L);
        assertThat(p.take(DATAGRAM, wait)).isZero();
    }

    @Test
    public void aNewRateAppliesFromTheNextDatagramAndAnIdleBucketHoldsOnlyTheBurst() {
        Pacer p = new Pacer(1_000_000, 0);
        while (p.take(DATAGRAM, 0) == 0) {
            // empty the bucket
        }
        p.setRate(100_000_000);
        assertThat(p.take(DATAGRAM, 0)).isLessThanOrEqualTo(14_500L);
        // An hour idle fills it to the burst, not to an hour's worth.
        long hour = 3_600_000_000_000L;
        int burst = 0;
        while (p.take(DATAGRAM, hour) == 0) {
            burst++;
        }
        assertThat(burst).isEqualTo((int) (Pacer.BURST / DATAGRAM));
        assertThatThrownBy(() -> p.setRate(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
