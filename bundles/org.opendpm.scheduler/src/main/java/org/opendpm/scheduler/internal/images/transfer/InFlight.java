package org.opendpm.scheduler.internal.images.transfer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The link request a transfer is waiting on, cancelled when the transfer's step is stopped (a request made after the
 * stop is cancelled at once), so stopping a backup or restore stops the agent's work too.
 */
final class InFlight {

    private volatile CompletableFuture<?> current;
    private volatile boolean stopped;

    /** Makes {@code stage} the request in flight. */
    <T> CompletableFuture<T> track(CompletionStage<T> stage) {
        CompletableFuture<T> f = stage.toCompletableFuture();
        current = f;
        if (stopped) {
            f.cancel(true);
        }
        return f;
    }

    void stop() {
        stopped = true;
        CompletableFuture<?> c = current;
        if (c != null) {
            c.cancel(true);
        }
    }

    boolean stopped() {
        return stopped;
    }
}
