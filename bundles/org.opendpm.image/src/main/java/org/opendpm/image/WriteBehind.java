package org.opendpm.image;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Flushes a file being written while the writing goes on: after every {@code everyBytes} written, one
 * {@link FileChannel#force} runs on a thread of its own (never two at once), so the disk works while the writer
 * computes, and the last flush, which an image or a restore must wait for before it counts, finds little left to do.
 * The page cache would otherwise hold gigabytes until that last flush and write them while everything waits.
 */
public final class WriteBehind implements AutoCloseable {

    private final FileChannel channel;
    private final long everyBytes;
    private final ExecutorService flusher;
    private long sinceFlush;
    private CompletableFuture<Void> running = CompletableFuture.completedFuture(null);

    public WriteBehind(FileChannel channel, long everyBytes, String threadName) {
        this.channel = channel;
        this.everyBytes = everyBytes;
        this.flusher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Counts bytes just written; starts a flush when enough have come since the last and none is running. */
    public void written(long bytes) throws IOException {
        sinceFlush += bytes;
        if (sinceFlush < everyBytes || !running.isDone()) {
            return;
        }
        check(running);
        sinceFlush = 0;
        running = CompletableFuture.runAsync(() -> {
            try {
                channel.force(false);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, flusher);
    }

    /** Waits for a running flush, then flushes everything with the file's metadata. */
    public void finish() throws IOException {
        try {
            running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while flushing");
        } catch (ExecutionException e) {
            throw failure(e.getCause());
        }
        channel.force(true);
    }

    private static void check(CompletableFuture<Void> done) throws IOException {
        try {
            done.getNow(null);
        } catch (java.util.concurrent.CompletionException e) {
            throw failure(e.getCause());
        }
    }

    private static IOException failure(Throwable t) {
        return t instanceof java.io.UncheckedIOException u
                ? u.getCause()
                : new IOException("flushing failed: " + t, t);
    }

    @Override
    public void close() {
        flusher.shutdownNow();
    }
}
