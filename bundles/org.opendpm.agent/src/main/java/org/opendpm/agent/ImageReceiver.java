package org.opendpm.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

import org.opendpm.agent.protocol.Message;
import org.opendpm.image.BadChunk;
import org.opendpm.image.ChunkEntry;
import org.opendpm.image.Chunks;

/**
 * One {@code imageWrite} (restore). The connection's reader thread hands it each {@code imageChunk} and the data
 * frames of its transfer: the chunk's place is checked at once and its stored bytes collected in a direct buffer; a
 * small pool then checks them ({@link Chunks#check}: CRC-32C, decompression to the length, SHA-256). A writer (a
 * worker thread, {@link #run}) takes the checked chunks in chunk order, writes each at its disk offset and confirms it
 * with {@code imageWritten}. So a bad chunk is never written: its fault ends the request before the writer reaches it.
 *
 * <p>At most {@code 2 × threads} chunks wait between the reader and the writer; beyond that the reader waits, and the
 * server's window (which it keeps anyway) is held back by TCP.
 */
final class ImageReceiver {

    private static final Logger LOG = Logger.getLogger(ImageReceiver.class.getName());
    private static final long POLL_MILLIS = 100;

    /** A disk being written, and the size the image gives it. */
    private record Target(RestoreDisk disk, long imageSize) {
    }

    /** Stored bytes of a chunk and room for its uncompressed bytes. */
    private record Slot(ByteBuffer stored, ByteBuffer dst) {
    }

    /** A chunk on its way to the writer: its check (null when good, else the fault), or the end when c is null. */
    private record Item(Message.ImageChunk c, Future<String> check, Slot slot) {
    }

    /** What the compare pass needs of a written chunk. */
    private record Written(long chunk, int disk, long diskOffset, int length, byte[] sha256) {
    }

    private final Message.ImageWrite request;
    private final FrameChannel channel;
    private final int maxStored;
    private final int capacity;
    private final Map<Integer, Target> targets = new LinkedHashMap<>();
    private final BlockingQueue<Item> queue;
    private final BlockingQueue<Slot> free = new LinkedBlockingQueue<>();
    private final ExecutorService pool;
    private volatile boolean stopped;
    /** Bytes actually written to the disks (holes already reading as zeros are not); the writer's only. */
    private long bytesWritten;

    // The reader thread's state.
    private int slots;
    private long expected;
    private Message.ImageChunk filling;
    private Slot fillingSlot;
    private int filled;
    private boolean ended;

    private ImageReceiver(Message.ImageWrite request, FrameChannel channel) {
        this.request = request;
        this.channel = channel;
        this.maxStored = Chunks.maxStored(request.chunkSize());
        int threads = ImageSender.threads();
        this.capacity = 2 * threads;
        this.queue = new ArrayBlockingQueue<>(capacity + 1);
        this.pool = Executors.newFixedThreadPool(threads, AgentContext.threads("image-check"));
        this.expected = request.fromChunk();
    }

    /**
     * Opens the request's disks for writing; each must exist and be at least as large as the image's.
     *
     * @throws ImageDisks.Refused naming the disk and both sizes
     */
    static ImageReceiver open(Message.ImageWrite request, FrameChannel channel, ImageDisks disks)
            throws ImageDisks.Refused, IOException {
        ImageReceiver r = new ImageReceiver(request, channel);
        try {
            for (Message.DiskGeometry g : request.disks()) {
                if (r.targets.containsKey(g.number())) {
                    throw new ImageDisks.Refused("disk " + g.number() + " is listed twice");
                }
                ImageDisks.Disk d = disks.resolve(g.number());
                if (d.sizeBytes() < g.sizeBytes()) {
                    throw new ImageDisks.Refused("disk " + g.number() + " (" + d.path() + ") has " + d.sizeBytes()
                            + " bytes, less than the " + g.sizeBytes() + " of the image's disk");
                }
                r.targets.put(g.number(), new Target(RestoreDisk.open(d), g.sizeBytes()));
            }
            return r;
        } catch (ImageDisks.Refused | IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    long id() {
        return request.id();
    }

    long transferId() {
        return request.transferId();
    }

    /** Stops the request: the writer ends without an answer and the reader discards what still comes. */
    void stop() {
        stopped = true;
    }

    boolean stopped() {
        return stopped;
    }

    private ImageDisks.Refused bad(Message.ImageChunk c, String fault) {
        return new ImageDisks.Refused(describe(c) + ": " + fault);
    }

    private static String describe(Message.ImageChunk c) {
        return "chunk " + c.chunk() + " (disk " + c.disk() + ", offset " + c.diskOffset() + ")";
    }

    // ---------------------------------------------------------------- the reader thread

    /** An {@code imageChunk}: checked for its place, then its data is awaited (none for a hole). */
    void chunk(Message.ImageChunk c) throws ImageDisks.Refused, InterruptedException {
        if (stopped) {
            return;
        }
        if (ended) {
            throw bad(c, "sent after imageWriteEnd");
        }
        if (filling != null) {
            throw bad(filling, "its data frames carried " + filled + " of its " + filling.storedLength()
                    + " stored bytes before the next imageChunk");
        }
        if (c.chunk() != expected) {
            throw bad(c, "chunk " + expected + " was expected");
        }
        if (c.chunk() >= request.chunks()) {
            throw bad(c, "the image has " + request.chunks() + " chunks");
        }
        Target t = targets.get(c.disk());
        if (t == null) {
            throw bad(c, "disk " + c.disk() + " is not one of the request's disks");
        }
        if (c.length() > request.chunkSize()) {
            throw bad(c, "its length " + c.length() + " is more than the chunk size " + request.chunkSize());
        }
        if (c.diskOffset() > t.imageSize() - c.length()) {
            throw bad(c, "its " + c.length() + " bytes end past the end of disk " + c.disk() + " ("
                    + t.imageSize() + " bytes)");
        }
        if (c.storedLength() > maxStored) {
            throw bad(c, "its stored length " + c.storedLength() + " is more than the " + maxStored
                    + " a chunk of " + request.chunkSize() + " bytes can need");
        }
        expected++;
        if (c.hole()) {
            enqueue(new Item(c, CompletableFuture.completedFuture(null), null));
            return;
        }
        Slot slot = slot();
        if (slot == null) {
            return; // stopped while waiting
        }
        filling = c;
        fillingSlot = slot;
        filled = 0;
    }

    /** A data frame of the transfer: the current chunk's stored bytes. */
    void data(ByteBuffer bytes) throws ImageDisks.Refused, InterruptedException {
        if (stopped) {
            return;
        }
        if (filling == null) {
            throw new ImageDisks.Refused("a data frame of transfer " + request.transferId() + " after chunk "
                    + (expected - 1) + " had all its stored bytes");
        }
        if (bytes.remaining() > filling.storedLength() - filled) {
            throw bad(filling, "its data frames carry more than its " + filling.storedLength() + " stored bytes");
        }
        int n = bytes.remaining();
        fillingSlot.stored().duplicate().clear().position(filled).put(bytes);
        filled += n;
        if (filled == filling.storedLength()) {
            Message.ImageChunk c = filling;
            Slot slot = fillingSlot;
            filling = null;
            fillingSlot = null;
            enqueue(new Item(c, pool.submit(() -> check(c, slot)), slot));
        }
    }

    /** {@code imageWriteEnd}: every chunk must have come. */
    void end() throws ImageDisks.Refused, InterruptedException {
        if (stopped) {
            return;
        }
        if (filling != null) {
            throw bad(filling, "its data frames carried " + filled + " of its " + filling.storedLength()
                    + " stored bytes before imageWriteEnd");
        }
        if (expected != request.chunks()) {
            throw new ImageDisks.Refused("imageWriteEnd after chunk " + (expected - 1) + " of an image of "
                    + request.chunks() + " chunks");
        }
        ended = true;
        enqueue(new Item(null, null, null));
    }

    private static String check(Message.ImageChunk c, Slot slot) {
        ChunkEntry e = new ChunkEntry(c.chunk(), c.disk(), c.diskOffset(), c.length(), 0, c.storedLength(),
                c.crc32c(), HexFormat.of().parseHex(c.sha256()));
        BadChunk bad = Chunks.check(e, slot.stored(), slot.dst());
        return bad == null ? null : bad.reason();
    }

    private void enqueue(Item item) throws InterruptedException {
        while (!stopped && !queue.offer(item, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            // the writer is behind; it keeps going, or stops us
        }
    }

    /** A free slot, made while fewer than the queue holds exist; null when stopped while waiting. */
    private Slot slot() throws InterruptedException {
        Slot s = free.poll();
        if (s == null && slots <= capacity) {
            slots++;
            return new Slot(ByteBuffer.allocateDirect(maxStored), RestoreDisk.buffer(request.chunkSize()));
        }
        while (s == null && !stopped) {
            s = free.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
        return s;
    }

    // ---------------------------------------------------------------- the writer

    /**
     * Writes the chunks as they are checked, then flushes and compares: the answer ({@code imageWriteResult} or an
     * error naming the bad chunk); null when stopped.
     */
    Message run() {
        List<Written> written = new ArrayList<>();
        long bytes = 0;
        ByteBuffer zeros = null;
        try {
            while (!stopped) {
                Item it = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (it == null) {
                    continue;
                }
                if (it.c() == null) {
                    return finish(written, bytes);
                }
                Message.ImageChunk c = it.c();
                String fault = fault(it.check());
                if (fault != null) {
                    return error(describe(c) + ": " + fault);
                }
                Target t = targets.get(c.disk());
                try {
                    if (c.hole()) {
                        zeros = zeros != null ? zeros : RestoreDisk.buffer(request.chunkSize());
                        if (t.disk().zero(zeros, c.diskOffset(), c.length())) {
                            bytesWritten += c.length();
                        }
                    } else {
                        write(t, it.slot().dst(), c);
                    }
                } catch (IOException e) {
                    return error(describe(c) + ": writing failed: " + e.getMessage());
                }
                if (it.slot() != null) {
                    free.add(it.slot());
                }
                bytes += c.length();
                written.add(new Written(c.chunk(), c.disk(), c.diskOffset(), c.length(), c.hole()
                        ? null
                        : HexFormat.of().parseHex(c.sha256())));
                channel.send(new Message.ImageWritten(request.id(), c.chunk() + 1, bytes));
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (IOException e) {
            // The confirmation could not be sent: the connection is gone, and so is the request.
            LOG.info("Image write " + request.id() + " abandoned: " + e.getMessage());
            return null;
        } finally {
            stopped = true;
            close();
        }
    }

    private void write(Target t, ByteBuffer src, Message.ImageChunk c) throws IOException {
        t.disk().write(src.duplicate().clear().limit(c.length()), c.diskOffset());
        bytesWritten += c.length();
    }

    private static String fault(Future<String> check) throws InterruptedException {
        try {
            return check.get();
        } catch (ExecutionException e) {
            return "checking it failed: " + e.getCause();
        }
    }

    private Message error(String message) {
        LOG.warning("Image write " + request.id() + " failed: " + message);
        return new Message.ErrorAnswer(request.id(), Message.ErrorAnswer.FAILED, message);
    }

    private Message finish(List<Written> written, long bytes) {
        for (Target t : targets.values()) {
            try {
                t.disk().finish();
            } catch (IOException e) {
                return error("flushing disk " + t.disk().disk().number() + " failed: " + e.getMessage());
            }
        }
        List<Message.ImageWriteResult.Mismatch> mismatches = new ArrayList<>();
        if (request.compare()) {
            ByteBuffer buffer = RestoreDisk.buffer(request.chunkSize());
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java has SHA-256", e);
            }
            for (Written w : written) {
                if (stopped) {
                    return null;
                }
                Target t = targets.get(w.disk());
                boolean same;
                try {
                    same = t.disk().holds(buffer, sha, w.diskOffset(), w.length(), w.sha256());
                } catch (IOException e) {
                    return error("reading back chunk " + w.chunk() + " (disk " + w.disk() + ", offset "
                            + w.diskOffset() + ") failed: " + e.getMessage());
                }
                if (!same && mismatches.size() < Message.ImageWriteResult.MAX_MISMATCHES) {
                    mismatches.add(new Message.ImageWriteResult.Mismatch(w.chunk(), w.disk(), w.diskOffset()));
                }
            }
        }
        LOG.info("Image write " + request.id() + ": " + written.size() + " chunks, " + bytesWritten
                + " bytes written (holes already reading as zeros are not)"
                + (request.compare() ? ", " + mismatches.size() + " mismatches on compare" : ""));
        return new Message.ImageWriteResult(request.id(), written.size(), bytesWritten, request.compare(),
                mismatches);
    }

    private void close() {
        pool.shutdownNow();
        for (Target t : targets.values()) {
            t.disk().close();
        }
    }
}
