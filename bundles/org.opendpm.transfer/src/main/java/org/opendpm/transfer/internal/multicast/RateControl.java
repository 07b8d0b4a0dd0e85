package org.opendpm.transfer.internal.multicast;

import java.util.HashMap;
import java.util.Map;

/**
 * The sender's rate control (docs/multicast.md, "Rate control"): AIMD on the worst single member's loss, one
 * decision per window of {@link #WINDOW_NANOS}. A member's loss is the blocks it asked again for in the window over
 * the blocks of the chunks those asks were for; taking the worst member, not the union of all requests, keeps
 * independent random loss at many receivers from reading as congestion. Pure logic; not thread-safe (the sender
 * guards it).
 */
final class RateControl {

    static final long WINDOW_NANOS = 100_000_000L;
    static final long MB = 1_000_000L;
    static final long START = 20 * MB;
    static final long MIN = 1 * MB;
    static final long DEFAULT_MAX = 120 * MB;
    /** 10 MB/s a second: faster overran receivers short of CPU before their losses came back as requests. */
    static final long INCREASE = 1 * MB;
    /** Until the first decrease the rate grows by this factor a window (slow start), not by {@link #INCREASE}. */
    static final double START_GROWTH = 1.25;
    static final double DECREASE = 0.75;
    /** The cut when a member lost whole chunks right after they went out: its socket overflowed, not a few drops. */
    static final double DECREASE_OVERRUN = 0.5;
    static final double LOSS_HIGH = 0.25;
    static final double LOSS_LOW = 0.10;
    /** A decrease needs this many windows without one before it, so requests in flight do not cut twice. */
    static final int HOLD_WINDOWS = 2;

    private final long max;
    private long rate;
    private long sent;
    /** Per member: blocks asked again, and the blocks of the chunks they were asked of. */
    private final Map<Long, long[]> asked = new HashMap<>();
    private boolean overrun;
    private int windowsSinceDecrease = HOLD_WINDOWS + 1;
    private double lastLoss;
    private boolean slowStart = true;
    private long decreases;
    private long lowest;

    /** @param max the ceiling, bytes per second, at least {@link #MIN}; the rate starts at min(START, max) */
    RateControl(long max) {
        if (max < MIN) {
            throw new IllegalArgumentException("rate ceiling " + max + " B/s is below the floor of " + MIN + " B/s");
        }
        this.max = max;
        this.rate = Math.min(START, max);
        this.lowest = rate;
    }

    /** Decreases so far. */
    long decreases() {
        return decreases;
    }

    /** The lowest rate so far. */
    long lowest() {
        return lowest;
    }

    /** The current rate, bytes of datagrams per second. */
    long rate() {
        return rate;
    }

    long max() {
        return max;
    }

    /** The worst member's loss in the last window that measured one (0 before). */
    double lastLoss() {
        return lastLoss;
    }

    /** A DATA datagram went out. */
    void sent() {
        sent++;
    }

    /**
     * {@code member} asked again for {@code blocks} blocks of a chunk of {@code of} blocks (a repair request). The
     * loss is counted against the chunk, not against what was sent in the window: a receiver asks for a chunk's gaps
     * at once after the chunk passed, so against a window's sending the same 5 % read as 50 % at a low rate, and
     * each decrease made the next one likelier.
     */
    void asked(long member, int blocks, int of) {
        long[] a = asked.computeIfAbsent(member, m -> new long[2]);
        a[0] += blocks;
        a[1] += Math.max(blocks, of);
    }

    /** {@code member} asked again for a whole chunk of {@code blocks} blocks right after it went out. */
    void overrun(long member, int blocks) {
        asked(member, blocks, blocks);
        overrun = true;
    }

    /**
     * Ends the window: decides the rate for the next one and starts counting anew. A window in which nothing was sent
     * measures no loss and keeps the rate.
     *
     * @param backlog whether the request queue holds anything (only then is more rate of use)
     * @return the rate from now on
     */
    long endWindow(boolean backlog) {
        windowsSinceDecrease++;
        if (sent > 0) {
            lastLoss = asked.values().stream().mapToDouble(a -> (double) a[0] / a[1]).max().orElse(0);
            if (lastLoss > LOSS_HIGH) {
                if (windowsSinceDecrease > HOLD_WINDOWS) {
                    rate = Math.max(MIN, (long) ((overrun ? DECREASE_OVERRUN : DECREASE) * rate));
                    lowest = Math.min(lowest, rate);
                    decreases++;
                    windowsSinceDecrease = 0;
                    slowStart = false;
                }
            } else if (lastLoss < LOSS_LOW && backlog) {
                rate = Math.min(max, slowStart ? (long) (START_GROWTH * rate) : rate + INCREASE);
            }
        }
        sent = 0;
        asked.clear();
        overrun = false;
        return rate;
    }
}
