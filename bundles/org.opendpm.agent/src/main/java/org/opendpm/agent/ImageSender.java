package org.opendpm.agent;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Logger;

import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;
import org.opendpm.image.Chunks;

/**
 * One {@code imageRead} (backup): reads the extents sequentially, cuts them into chunks from each extent's start,
 * encodes them ({@link Chunks#encode}: hole check, zstd, CRC-32C, SHA-256) on a small pool with direct buffers and
 * sends them in chunk order, each only when the server's credit covers its stored length + 256. At most
 * {@code 2 × threads} chunks are in flight, so memory stays at that many pairs of chunk buffers.
 */
final class ImageSender {

    private static final Logger LOG = Logger.getLogger(ImageSender.class.getName());
    /** Read system calls of 1 MiB: large enough for disks, small enough to start compressing early. */
    static final int READ_BYTES = 1 << 20;

    private final Message.ImageRead request;
    private final FrameChannel channel;
    private final ImageDisks disks;
    private long credit;
    private boolean cancelled;

    ImageSender(Message.ImageRead request, FrameChannel channel, ImageDisks disks) {
        this.request = request;
        this.channel = channel;
        this.disks = disks;
        this.credit = request.windowBytes();
    }

    /** Compression threads: two, fewer on a single core. */
    static int threads() {
        return Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    }

    synchronized void credit(long bytes) {
        if (bytes > 0) {
            credit = credit + bytes < 0 ? Long.MAX_VALUE : credit + bytes;
            notifyAll();
        }
    }

    synchronized void cancel() {
        cancelled = true;
        notifyAll();
    }

    private synchronized boolean cancelled() {
        return cancelled;
    }

    /** Waits until {@code cost} is covered and takes it; false when cancelled. */
    private synchronized boolean take(long cost) throws InterruptedException {
        while (credit < cost && !cancelled) {
            wait();
        }
        if (cancelled) {
            return false;
        }
        credit -= cost;
        return true;
    }

    /** A chunk to read: its number and where its bytes are. */
    private record Piece(long number, ImageDisks.Disk disk, long diskOffset, int length) {
    }

    /** A chunk's source and stored buffers, reused. */
    private record Buffers(ByteBuffer src, ByteBuffer dst) {
    }

    private record Encoded(Piece piece, Buffers buffers, Chunks.Encoded result) {
    }

    /**
     * Checks the request, sends {@code imageBegin}, the chunks and returns the answer {@code imageEnd}; null when
     * cancelled.
     */
    Message.ImageEnd send() throws ImageDisks.Refused, IOException, InterruptedException {
        int chunkSize = request.chunkSize();
        int maxStored = Chunks.maxStored(chunkSize);
        if (request.windowBytes() < (long) maxStored + Message.CHUNK_COST) {
            throw new ImageDisks.Refused("windowBytes " + request.windowBytes() + " is less than a chunk's worst "
                    + "case " + ((long) maxStored + Message.CHUNK_COST));
        }
        Map<Integer, ImageDisks.Disk> byNumber = new LinkedHashMap<>();
        long total = 0;
        for (Message.Extent e : request.extents()) {
            ImageDisks.Disk d = byNumber.get(e.disk());
            if (d == null) {
                d = disks.resolve(e.disk());
                byNumber.put(e.disk(), d);
            }
            ImageDisks.checkRange(d, e.offset(), e.length());
            total += (e.length() + chunkSize - 1) / chunkSize;
        }
        if (request.fromChunk() > total) {
            throw new ImageDisks.Refused("fromChunk " + request.fromChunk() + " is past the " + total
                    + " chunks of the extents");
        }
        Map<Integer, FileChannel> open = new LinkedHashMap<>();
        int threads = threads();
        ExecutorService pool = Executors.newFixedThreadPool(threads, AgentContext.threads("image-encode"));
        try {
            for (ImageDisks.Disk d : byNumber.values()) {
                open.put(d.number(), FileChannel.open(d.path(), StandardOpenOption.READ));
            }
            channel.send(new Message.ImageBegin(request.id(), byNumber.values().stream()
                    .map(ImageDisks.Disk::geometry).toList()));
            return sendChunks(byNumber, open, pool, 2 * threads, maxStored);
        } finally {
            pool.shutdownNow();
            for (FileChannel ch : open.values()) {
                ch.close();
            }
        }
    }

    private Message.ImageEnd sendChunks(Map<Integer, ImageDisks.Disk> byNumber, Map<Integer, FileChannel> open,
            ExecutorService pool, int capacity, int maxStored) throws IOException, InterruptedException {
        int chunkSize = request.chunkSize();
        int level = request.compressionLevel();
        List<Piece> pieces = new ArrayList<>();
        ArrayDeque<Future<Encoded>> inFlight = new ArrayDeque<>();
        ArrayDeque<Buffers> free = new ArrayDeque<>();
        byte[] frame = new byte[FrameCodec.MAX_CHUNK];
        PieceCursor cursor = new PieceCursor(byNumber, chunkSize);
        long chunks = 0;
        long stored = 0;
        while (true) {
            while (inFlight.size() < capacity && cursor.hasNext() && !cancelled()) {
                Piece p = cursor.next();
                Buffers b = free.isEmpty()
                        ? new Buffers(ByteBuffer.allocateDirect(chunkSize), ByteBuffer.allocateDirect(maxStored))
                        : free.remove();
                b.src().clear().limit(p.length());
                FileChannel ch = open.get(p.disk().number());
                // Read system calls of at most 1 MiB; the disk is read strictly in order.
                for (int done = 0; done < p.length(); done += READ_BYTES) {
                    ByteBuffer slice = b.src().duplicate().position(done).limit(Math.min(p.length(), done
                            + READ_BYTES));
                    ImageDisks.readFully(ch, slice, p.diskOffset() + done, p.disk());
                }
                inFlight.add(pool.submit(() -> new Encoded(p, b, Chunks.encode(b.src(), p.length(), b.dst(),
                        level))));
            }
            if (cancelled()) {
                LOG.info("Image read " + request.id() + " cancelled after " + chunks + " chunks");
                return null;
            }
            if (inFlight.isEmpty()) {
                break;
            }
            Encoded e = result(inFlight.remove());
            Chunks.Encoded r = e.result();
            if (!take((long) r.storedLength() + Message.CHUNK_COST)) {
                LOG.info("Image read " + request.id() + " cancelled after " + chunks + " chunks");
                return null;
            }
            Piece p = e.piece();
            Message.ImageChunk control = new Message.ImageChunk(request.id(), p.number(), p.disk().number(),
                    p.diskOffset(), p.length(), r.hole(), r.storedLength(), r.crc32c(), r.hole()
                            ? Message.ImageChunk.HOLE_SHA256
                            : HexFormat.of().formatHex(r.sha256()));
            channel.sendImageChunk(control, request.transferId(), e.buffers().dst(), r.storedLength(), frame);
            chunks++;
            stored += r.storedLength();
            free.add(e.buffers());
        }
        LOG.info("Image read " + request.id() + ": " + chunks + " chunks, " + stored + " stored bytes sent");
        return new Message.ImageEnd(request.id(), chunks, stored);
    }

    private static Encoded result(Future<Encoded> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while a chunk was encoded");
        } catch (ExecutionException e) {
            throw new IOException("encoding a chunk failed: " + e.getCause(), e.getCause());
        }
    }

    /** The chunks of the extents from {@code fromChunk} on, cut from each extent's start. */
    private final class PieceCursor {
        private final List<ImageDisks.Disk> extentDisks = new ArrayList<>();
        private final int chunkSize;
        private int extent;
        private long offsetInExtent;
        private long number;

        PieceCursor(Map<Integer, ImageDisks.Disk> byNumber, int chunkSize) {
            this.chunkSize = chunkSize;
            for (Message.Extent e : request.extents()) {
                extentDisks.add(byNumber.get(e.disk()));
            }
            long skip = request.fromChunk();
            while (extent < request.extents().size()) {
                long inExtent = (request.extents().get(extent).length() + chunkSize - 1) / chunkSize;
                if (skip < inExtent) {
                    offsetInExtent = skip * chunkSize;
                    break;
                }
                skip -= inExtent;
                extent++;
            }
            number = request.fromChunk();
        }

        boolean hasNext() {
            return extent < request.extents().size();
        }

        Piece next() {
            Message.Extent e = request.extents().get(extent);
            int length = (int) Math.min(chunkSize, e.length() - offsetInExtent);
            Piece p = new Piece(number++, extentDisks.get(extent), e.offset() + offsetInExtent, length);
            offsetInExtent += length;
            if (offsetInExtent == e.length()) {
                extent++;
                offsetInExtent = 0;
            }
            return p;
        }
    }
}
