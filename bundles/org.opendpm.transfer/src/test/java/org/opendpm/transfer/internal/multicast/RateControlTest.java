package org.opendpm.transfer.internal.multicast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.Random;

import org.junit.Test;

/** AIMD on the worst member's loss (IMG-3, docs/multicast.md "Rate control"). */
public class RateControlTest {

    private static final int SENT_PER_WINDOW = 1000;

    /** One window: {@code SENT_PER_WINDOW} blocks sent, {@code losses[m]} of them asked again by member m + 1. */
    private static long window(RateControl r, boolean backlog, int... losses) {
        for (int i = 0; i < SENT_PER_WINDOW; i++) {
            r.sent();
        }
        for (int m = 0; m < losses.length; m++) {
            if (losses[m] > 0) {
                r.asked(m + 1, losses[m], SENT_PER_WINDOW);
            }
        }
        return r.endWindow(backlog);
    }

    @Test
    public void startsAt20MBsGrowsByAQuarterAWindowUntilTheFirstDecreaseThenBy1MBsUpToTheCeiling() {
        RateControl r = new RateControl(RateControl.DEFAULT_MAX);
        assertThat(r.rate()).isEqualTo(20_000_000L);
        assertThat(window(r, true)).isEqualTo(25_000_000L);
        assertThat(window(r, true, 50, 99)).as("9.9 % is below the low threshold").isEqualTo(31_250_000L);
        for (int i = 0; i < 8; i++) {
            window(r, true, 10);
        }
        assertThat(r.rate()).as("the ceiling in under a second").isEqualTo(120_000_000L);
        assertThat(window(r, true, 300)).isEqualTo(90_000_000L);
        assertThat(window(r, true)).as("after a decrease: additive").isEqualTo(91_000_000L);
        for (int i = 0; i < 100; i++) {
            window(r, true, 10);
        }
        assertThat(r.rate()).isEqualTo(120_000_000L);
        assertThat(new RateControl(5_000_000).rate()).as("a ceiling below the start").isEqualTo(5_000_000L);
    }

    @Test
    public void withoutBacklogOrBetweenTheThresholdsTheRateStays() {
        RateControl r = new RateControl(RateControl.DEFAULT_MAX);
        assertThat(window(r, false)).as("nothing waiting: no use for more").isEqualTo(20_000_000L);
        assertThat(window(r, true, 100)).as("10 %: between the thresholds").isEqualTo(20_000_000L);
        assertThat(window(r, true, 250)).as("25 %: not above the high threshold").isEqualTo(20_000_000L);
        r.asked(1, 500, 1000);
        assertThat(r.endWindow(true)).as("nothing sent: no loss measured").isEqualTo(20_000_000L);
    }

    @Test
    public void heavyLossCutsByAQuarterThenHoldsTwoWindowsAndNeverGoesBelowTheFloor() {
        RateControl r = new RateControl(RateControl.DEFAULT_MAX);
        assertThat(window(r, true, 0, 500)).isEqualTo(15_000_000L);
        assertThat(r.lastLoss()).isEqualTo(0.5);
        assertThat(window(r, true, 0, 500)).as("held: requests of the old rate in flight").isEqualTo(15_000_000L);
        assertThat(window(r, true, 0, 500)).as("held").isEqualTo(15_000_000L);
        assertThat(window(r, true, 0, 500)).isEqualTo(11_250_000L);
        for (int i = 0; i < 100; i++) {
            window(r, true, 900);
        }
        assertThat(r.rate()).isEqualTo(RateControl.MIN);
        assertThat(window(r, true, 1000)).as("a whole chunk lost: still the floor").isEqualTo(RateControl.MIN);
        assertThatThrownBy(() -> new RateControl(RateControl.MIN - 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    public void manyReceiversEachLosing5PercentDoNotCollapseTheRate() {
        Random random = new Random(26);
        RateControl r = new RateControl(RateControl.DEFAULT_MAX);
        int members = 8;
        long unionOver = 0;
        for (int w = 0; w < 200; w++) {
            BitSet union = new BitSet();
            for (int i = 0; i < SENT_PER_WINDOW; i++) {
                r.sent();
            }
            for (int m = 1; m <= members; m++) {
                int lost = 0;
                for (int b = 0; b < SENT_PER_WINDOW; b++) {
                    if (random.nextDouble() < 0.05) {
                        lost++;
                        union.set(b);
                    }
                }
                r.asked(m, lost, SENT_PER_WINDOW);
            }
            unionOver += union.cardinality() > RateControl.LOSS_HIGH * SENT_PER_WINDOW ? 1 : 0;
            r.endWindow(true);
        }
        assertThat(unionOver).as("the union of the requests would read as congestion in every window")
                .isEqualTo(200);
        assertThat(r.rate()).isEqualTo(RateControl.DEFAULT_MAX);
    }

    @Test
    public void aMemberOverrunByTheRatePullsItDownToWhatItTakes() {
        RateControl r = new RateControl(RateControl.DEFAULT_MAX);
        long capacity = 8_000_000;
        for (int w = 0; w < 300; w++) {
            long rate = r.rate();
            // It takes up to its capacity and loses the rest; the others lose nothing.
            int lost = (int) (SENT_PER_WINDOW * Math.max(0, rate - capacity) / rate);
            window(r, true, 0, lost, 0);
        }
        assertThat(r.rate()).isBetween(6_000_000L, 11_000_000L);
    }

    @Test
    public void wholeChunksLostRightAfterTheyWentOutHalveTheRate() {
        RateControl r = new RateControl(RateControl.DEFAULT_MAX);
        for (int i = 0; i < SENT_PER_WINDOW; i++) {
            r.sent();
        }
        r.overrun(3, 2996);
        assertThat(r.endWindow(true)).isEqualTo(10_000_000L);
        assertThat(window(r, true, 0, 0, 300)).as("held").isEqualTo(10_000_000L);
        assertThat(window(r, true, 0, 0, 300)).as("held").isEqualTo(10_000_000L);
        assertThat(window(r, true, 0, 0, 300)).as("a gap's loss cuts by a quarter").isEqualTo(7_500_000L);
    }

    @Test
    public void lossIsCountedAgainstTheChunkSoA5PercentGapReadsAs5PercentAtAnyRate() {
        RateControl r = new RateControl(RateControl.DEFAULT_MAX);
        for (int w = 0; w < 50; w++) {
            // Few blocks sent in the window (a low rate), and one chunk's gaps asked for at once: 150 of 2996.
            for (int i = 0; i < 100; i++) {
                r.sent();
            }
            r.asked(1, 150, 2996);
            r.endWindow(true);
        }
        assertThat(r.lastLoss()).isBetween(0.05, 0.051);
        assertThat(r.rate()).isEqualTo(RateControl.DEFAULT_MAX);
    }
}
