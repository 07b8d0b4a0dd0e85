package org.opendpm.scheduler.internal.images.transfer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

import org.opendpm.spi.StepFailedException;

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

    /**
     * The link was lost at {@code chunk} of {@code chunks}: says so in the step's log, waits (as the request in flight)
     * for the agent within the window, then runs {@code resume}, or hands {@code fail} the stop or this window's end.
     */
    void awaitReturn(InFlight inFlight, AgentReturn returns, TransferStep step, MachineFacts machine, String what,
            long chunk, long chunks, Throwable cause, Runnable resume, Consumer<Throwable> fail) {
        Instant until = lost();
        step.log("The link to machine " + machine.name() + " was lost at chunk " + chunk + " of " + chunks
                + "; waiting up to " + Duration.between(clock.instant(), until).toSeconds() + " s for its agent ("
                + ImageTransfers.describe(cause) + ")");
        inFlight.track(returns.await(machine.id(), until)).whenComplete((v, e) -> {
            if (e == null) {
                resume.run();
            } else if (inFlight.stopped()) {
                fail.accept(e);
            } else {
                fail.accept(new StepFailedException(message(machine.name(), what, chunk, chunks)));
            }
        });
    }

    String message(String machine, String what, long chunk, long chunks) {
        return "the link to machine " + machine + " was lost for more than " + window.toSeconds() + " s during the "
                + what + ", at chunk " + chunk + " of " + chunks;
    }
}
