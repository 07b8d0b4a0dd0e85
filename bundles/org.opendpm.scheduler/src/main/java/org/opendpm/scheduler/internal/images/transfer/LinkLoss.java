package org.opendpm.scheduler.internal.images.transfer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The resume window of one transfer: it opens when the link is lost and closes again once a chunk gets through, so an
 * agent that keeps coming back without moving the transfer on runs out of it.
 */
final class LinkLoss {

    private final Clock clock;
    private final Duration window;
    private Instant since;

    LinkLoss(Clock clock, Duration window) {
        this.clock = clock;
        this.window = window;
    }

    synchronized void progressed() {
        since = null;
    }

    /** The link was lost: until when the agent may come back. */
    synchronized Instant lost() {
        if (since == null) {
            since = clock.instant();
        }
        return since.plus(window);
    }

    String message(String machine, String what, long chunk, long chunks) {
        return "the link to machine " + machine + " was lost for more than " + window.toSeconds() + " s during the "
                + what + ", at chunk " + chunk + " of " + chunks;
    }
}
