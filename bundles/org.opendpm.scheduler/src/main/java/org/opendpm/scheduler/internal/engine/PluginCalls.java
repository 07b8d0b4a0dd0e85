package org.opendpm.scheduler.internal.engine;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.opendpm.spi.StepFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls plugins off the core's own threads, under a time bound (the idea of openHAB's {@code SafeCaller}): a plugin
 * that throws or hangs fails the one call with a message naming it, and nothing else waits for it. A hung call keeps
 * its thread, so the pool is bounded. Calls beyond the pool's threads wait in a bounded queue, and their time bound
 * runs from the call, not from the start: a burst (a batch of 1,000 executions starting) is carried out in turn, and a
 * call stuck behind hung ones fails within its bound like the hung ones. A full queue fails new calls at once.
 */
public final class PluginCalls implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PluginCalls.class);

    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService timer;
    private final Duration bound;
    private final int maxQueued;

    /** @param maxQueued calls that may wait for a thread; above the most executions that run at once */
    public PluginCalls(String name, int maxThreads, int maxQueued, Duration bound) {
        this.bound = bound;
        this.maxQueued = maxQueued;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(maxThreads, maxThreads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(maxQueued), r -> {
                    Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, name + "-timer");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
    }

    public Duration bound() {
        return bound;
    }

    /**
     * Runs the call on the pool. The future fails with a {@link StepFailedException} naming {@code what} when the call
     * throws, or when it has not returned within the bound (the call's thread is then interrupted).
     */
    public <T> CompletableFuture<T> call(String what, Callable<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Future<?> task;
        try {
            task = pool.submit(() -> {
                try {
                    result.complete(call.call());
                } catch (Throwable e) { // a plugin's failure of any kind is that call's failure, not the core's
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    if (!(e instanceof StepFailedException || e instanceof org.opendpm.api.OpenDpmException)) {
                        LOG.warn("{} failed", what, e);
                    }
                    // The core's own refusals already speak to the administrator; a plugin's bug is named.
                    result.completeExceptionally(e instanceof StepFailedException
                            ? e
                            : e instanceof org.opendpm.api.OpenDpmException
                                    ? new StepFailedException(e.getMessage(), e)
                                    : new StepFailedException(what + " failed: " + e, e));
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new StepFailedException(what + " not called: " + pool.getMaximumPoolSize()
                    + " plugin calls are busy and " + maxQueued + " wait already (plugins that do not return?)"));
            return result;
        }
        var timeout = timer.schedule(() -> {
            if (result.completeExceptionally(new StepFailedException(what + " did not return within "
                    + bound.toSeconds() + " s"))) {
                LOG.warn("{} did not return within {} s; its thread is interrupted", what, bound.toSeconds());
                task.cancel(true);
            }
        }, bound.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((v, e) -> timeout.cancel(false));
        return result;
    }

    /** How many calls are running now (hung ones included). */
    public int active() {
        return pool.getActiveCount();
    }

    @Override
    public void close() {
        pool.shutdownNow();
        timer.shutdownNow();
    }
}
