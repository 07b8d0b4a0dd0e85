package org.opendpm.transfer.internal.multicast;

import java.net.InetAddress;
import java.util.BitSet;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.opendpm.agent.protocol.multicast.Packet;
import org.opendpm.agent.protocol.multicast.PacketCodec;
import org.opendpm.transfer.internal.TokenBucket;

/**
 * What a multicast sender decides, without I/O (docs/multicast.md, "Sender"): which REQUESTs go into the queue (its
 * session and image, stored length and block size as the index and session have them, a member of the session, and
 * at most {@link #REQUESTS_PER_SOURCE} a second per source address), which block goes next, the rate, and the
 * STATUS content. Every time comes from the caller's nanosecond clock. Thread-safe: the channel's thread offers
 * requests while the sending thread takes blocks.
 */
final class SenderCore {

    /** What became of a REQUEST. */
    enum Verdict {
        /** Its blocks are in the queue. */
        QUEUED,
        /** Another session or image. */
        FOREIGN,
        /** A chunk past the image, or a stored length or block size the index or session disagrees with. */
        MISMATCH,
        /** From a member not in the session (never joined, dropped or done). */
        NOT_MEMBER,
        /** Its source address is over its request rate. */
        RATE_LIMITED
    }

    static final int REQUESTS_PER_SOURCE = 2000;
    /** DATA sent after a chunk within which a whole-chunk request for it counts as loss: a receiver's window. */
    static final long RECENT_BYTES = 32L << 20;
    /** Source buckets kept before idle ones are forgotten; beyond it new sources are refused until some go idle. */
    static final int MAX_SOURCES = 4096;
    private static final long IDLE_NANOS = 1_000_000_000L;

    private final long sessionId;
    private final UUID image;
    private final int blockSize;
    private final int[] storedLengths;
    private final Set<Long> members = new HashSet<>();
    private final RequestQueue queue = new RequestQueue();
    private final RateControl rate;
    private final Map<InetAddress, TokenBucket> sources = new HashMap<>();
    private final Map<Verdict, Long> counts = new EnumMap<>(Verdict.class);
    /** Per chunk: {@link #blocksSent} when a block of it last went out (-1: never). */
    private final long[] lastSent;
    private long blocksSent;
    /** Per chunk, the blocks that went out at least once: a block sent again is a repair. */
    private final BitSet[] everSent;
    private long blocksRepeated;
    private long wholeRequests;
    private long wholeRecent;
    private long blocksAsked;
    private long blocksMerged;

    /**
     * @param storedLengths each chunk's stored length from the image's index, 0 for a hole; at least one chunk
     * @param maxRate the rate's ceiling, bytes per second
     */
    SenderCore(long sessionId, UUID image, int blockSize, int[] storedLengths, long maxRate) {
        if (sessionId <= 0) {
            throw new IllegalArgumentException("session id " + sessionId + " is outside 1..2^63-1");
        }
        if (blockSize < PacketCodec.MIN_BLOCK_SIZE || blockSize > PacketCodec.MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("block size " + blockSize + " is outside "
                    + PacketCodec.MIN_BLOCK_SIZE + ".." + PacketCodec.MAX_BLOCK_SIZE);
        }
        if (storedLengths.length == 0) {
            throw new IllegalArgumentException("an image of no chunks has nothing to send");
        }
        this.sessionId = sessionId;
        this.image = image;
        this.blockSize = blockSize;
        this.storedLengths = storedLengths.clone();
        this.lastSent = new long[storedLengths.length];
        Arrays.fill(lastSent, -1);
        this.everSent = new BitSet[storedLengths.length];
        this.rate = new RateControl(maxRate);
        for (Verdict v : Verdict.values()) {
            counts.put(v, 0L);
        }
    }

    long sessionId() {
        return sessionId;
    }

    UUID image() {
        return image;
    }

    int blockSize() {
        return blockSize;
    }

    long chunkCount() {
        return storedLengths.length;
    }

    int storedLength(long chunk) {
        return storedLengths[(int) chunk];
    }

    /** {@code member} joined (or rejoined) the session: its requests count from now on. */
    synchronized void admit(long member) {
        members.add(member);
    }

    /** {@code member} was dropped or is done: its requests are refused, so its loss no longer holds the rate. */
    synchronized void remove(long member) {
        members.remove(member);
    }

    /** Checks a REQUEST from {@code source} and, when it passes, queues its blocks. */
    synchronized Verdict offer(Packet.Request r, InetAddress source, long nowNanos) {
        Verdict v = check(r, source, nowNanos);
        counts.merge(v, 1L, Long::sum);
        if (v == Verdict.QUEUED) {
            BitSet blocks;
            boolean recent = recentlySent(r.chunk());
            if (r.wholeChunk()) {
                blocks = new BitSet();
                blocks.set(0, PacketCodec.blockCount(r.storedLength(), blockSize));
                wholeRequests++;
            } else {
                BitSet bits = r.missing();
                blocks = new BitSet(r.firstBlock() + r.bitCount());
                for (int k = bits.nextSetBit(0); k >= 0; k = bits.nextSetBit(k + 1)) {
                    blocks.set(r.firstBlock() + k);
                }
                if (recent) {
                    // Blocks lost at the rate of now; a repair of a chunk sent long ago says nothing about it.
                    rate.asked(r.member(), bits.cardinality(), PacketCodec.blockCount(r.storedLength(), blockSize));
                }
            }
            int n = blocks.cardinality();
            blocksAsked += n;
            if (r.wholeChunk() && queue.sending(r.chunk())) {
                // Asked whole while it is being sent: the ask crossed the DATA on its way. The rest of this pass
                // reaches the receiver, which asks for what it lacks of the blocks passed by bitmap; sending those
                // again now would send most of the chunk twice. Nor is it loss.
                blocksMerged += n - queue.addAhead(r.chunk(), blocks);
            } else {
                if (r.wholeChunk() && recent) {
                    // Asked whole right after it went out: the receiver lost all of it (overrun, or evicted it for
                    // want of slots), which is loss. Otherwise a whole-chunk request is a first ask, not loss.
                    rate.overrun(r.member(), n);
                    wholeRecent++;
                }
                blocksMerged += n - queue.add(r.chunk(), blocks);
            }
        }
        return v;
    }

    private Verdict check(Packet.Request r, InetAddress source, long nowNanos) {
        if (r.sessionId() != sessionId || !r.image().equals(image)) {
            return Verdict.FOREIGN;
        }
        if (r.chunk() >= storedLengths.length || r.storedLength() != storedLengths[(int) r.chunk()]
                || r.blockSize() != blockSize) {
            return Verdict.MISMATCH;
        }
        if (!members.contains(r.member())) {
            return Verdict.NOT_MEMBER;
        }
        TokenBucket bucket = sources.get(source);
        if (bucket == null) {
            if (sources.size() >= MAX_SOURCES) {
                sources.values().removeIf(b -> b.idleSince(nowNanos, IDLE_NANOS));
                if (sources.size() >= MAX_SOURCES) {
                    return Verdict.RATE_LIMITED;
                }
            }
            bucket = new TokenBucket(REQUESTS_PER_SOURCE, nowNanos);
            sources.put(source, bucket);
        }
        return bucket.tryTake(REQUESTS_PER_SOURCE, nowNanos) ? Verdict.QUEUED : Verdict.RATE_LIMITED;
    }

    /** The next block to send (counted as sent for the rate control), or null when nothing is asked for. */
    synchronized RequestQueue.Block next() {
        RequestQueue.Block b = queue.poll();
        if (b != null) {
            rate.sent();
            int c = (int) b.chunk();
            lastSent[c] = blocksSent++;
            if (everSent[c] == null) {
                everSent[c] = new BitSet();
            }
            if (everSent[c].get(b.block())) {
                blocksRepeated++;
            } else {
                everSent[c].set(b.block());
            }
        }
        return b;
    }

    /** Whether a block of {@code chunk} went out among the last {@link #RECENT_BYTES} of DATA. */
    private boolean recentlySent(long chunk) {
        long at = lastSent[(int) chunk];
        return at >= 0 && (blocksSent - at) * blockSize < RECENT_BYTES;
    }

    /** The chunks about to be sent: the current one (if blocks of it remain) and up to {@code n} after it. */
    synchronized List<Long> upcoming(int n) {
        return queue.upcoming(n);
    }

    /** Ends a rate window ({@link RateControl#WINDOW_NANOS}); answers the rate from now on. */
    synchronized long endWindow() {
        return rate.endWindow(!queue.isEmpty());
    }

    synchronized long rate() {
        return rate.rate();
    }

    /** The STATUS packet of now: the rate, the chunk being sent (or last sent; 0 before any), the queue's length. */
    synchronized Packet.Status status() {
        return new Packet.Status(sessionId, image, Math.max(0, queue.currentChunk()), rate.rate(),
                queue.chunksWaiting(), storedLengths.length);
    }

    /**
     * One line of the sender's figures (docs/multicast.md, "Figures"): blocks sent the first time and again, the
     * REQUESTs by verdict, whole-chunk asks (and those right after the chunk went out), blocks asked for and those
     * already queued, and the rate control's decreases and lowest rate.
     */
    synchronized String figures() {
        StringBuilder s = new StringBuilder("blocks.first=").append(blocksSent - blocksRepeated)
                .append(" blocks.again=").append(blocksRepeated).append(" requests:");
        for (Verdict v : Verdict.values()) {
            s.append(' ').append(v.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(counts.get(v));
        }
        return s.append(" whole=").append(wholeRequests).append(" wholeAgainSoon=").append(wholeRecent)
                .append(" blocksAsked=").append(blocksAsked).append(" blocksAlreadyQueued=").append(blocksMerged)
                .append(" rate.decreases=").append(rate.decreases()).append(" rate.lowest=").append(rate.lowest())
                .append(" rate=").append(rate.rate()).toString();
    }

    /** How many REQUESTs met {@code v}. */
    synchronized long count(Verdict v) {
        return counts.get(v);
    }
}
