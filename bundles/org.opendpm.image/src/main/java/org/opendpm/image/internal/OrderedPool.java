package org.opendpm.image.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs chunk work on a few threads while its results are taken back in submission order: the caller submits until
 * {@link #full()}, then takes the oldest result. At most {@code 2 × threads} chunks are in flight, which bounds the
 * memory to that many chunk buffers.
 */
public final class OrderedPool<T> implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ExecutorService executor;
    private final ArrayDeque<Future<T>> inFlight = new ArrayDeque<>();
    private final int capacity;

    public OrderedPool(int threads, String name) {
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("threads " + threads + " outside 1..256");
        }
        int pool = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name + "-" + pool + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        capacity = 2 * threads;
    }

    public boolean full() {
        return inFlight.size() >= capacity;
    }

    public boolean isEmpty() {
        return inFlight.isEmpty();
    }

    public void submit(Callable<T> task) {
        if (full()) {
            throw new IllegalStateException("take a result first");
        }
        inFlight.add(executor.submit(task));
    }

    /** Queues a result that needed no work (a hole), keeping its place in the order. */
    public void done(T result) {
        inFlight.add(CompletableFuture.completedFuture(result));
    }

    /** The oldest result, waiting for it; a task's IOException or runtime failure is rethrown as is. */
    public T take() throws IOException {
        Future<T> f = inFlight.remove();
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a chunk");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(cause);
        }
    }

    @Override
    public void close() {
        inFlight.forEach(f -> f.cancel(true));
        inFlight.clear();
        executor.shutdownNow();
    }
}
