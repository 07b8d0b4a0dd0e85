package org.opendpm.agent.multicast;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

import org.opendpm.agent.protocol.multicast.Packet;
import org.opendpm.agent.protocol.multicast.PacketCodec;
import org.opendpm.image.BadChunk;
import org.opendpm.image.ChunkEntry;

/**
 * The receiver's decisions without I/O (docs/multicast.md, "Receiver"): which DATA it takes, its 16 chunk slots and
 * their eviction, its request window of 8 chunks, the random back-off, the suppression by other members' REQUESTs and
 * by DATA already arriving, repair of stalled chunks and the doubling resend interval. Time is the caller's
 * {@code now} in nanoseconds, and the back-off draws from an injected generator, so tests decide both. Not
 * thread-safe: the receiving thread owns it.
 */
final class ReceiverCore {

    static final int SLOTS = 16;
    static final int WINDOW = 8;
    static final long BACKOFF = TimeUnit.MILLISECONDS.toNanos(20);
    static final long SUPPRESS = TimeUnit.MILLISECONDS.toNanos(500);
    static final long STALL_MIN = TimeUnit.MILLISECONDS.toNanos(50);
    static final long RETRY_FIRST = TimeUnit.SECONDS.toNanos(1);
    static final long RETRY_MAX = TimeUnit.SECONDS.toNanos(8);
    /** The longest an ask waits for the sender's queue before it is sent again. */
    static final long QUEUE_WAIT_MAX = TimeUnit.SECONDS.toNanos(30);
    /** Heard REQUESTs kept per requested chunk: anyone can send them, so their memory is bounded. */
    static final int HEARD_MAX = 64;
    /** The header and DATA fields that go with every block on the wire. */
    private static final int OVERHEAD = PacketCodec.HEADER_BYTES + PacketCodec.DATA_FIELDS;

    /** What became of a DATA packet. */
    enum Outcome {
        /** Another session or image: dropped and counted. */
        FOREIGN,
        /** Ours, but its chunk, stored length or block size disagrees with the index or the join: dropped, counted. */
        MISMATCH,
        /** A chunk already written, or a block already held: nothing to do. */
        IGNORED,
        /** A new block; the chunk still lacks some. */
        ACCEPTED,
        /** The chunk's last block: it passed the check, its plain bytes are in the buffer, it is to be written. */
        CHECKED,
        /** The chunk's last block, and the chunk failed the check: discarded whole, asked for again. */
        BAD
    }

    private record Heard(long at, BitSet blocks) {
    }

    private static final class Slot {
        final ChunkAssembler assembler;
        boolean requested;
        boolean hasData;
        long lastDataAt;
        boolean sent;
        long sentAt;
        long interval = RETRY_FIRST;
        /** How long this ask may go unanswered: the interval, or longer when the sender's queue is long. */
        long wait;
        boolean backingOff;
        long backoffFrom;
        long backoffUntil;
        boolean holding;
        long holdUntil;
        /** The ask about to go out repeats one not answered in time. */
        boolean resend;
        final ArrayDeque<Heard> heard = new ArrayDeque<>();

        Slot(ChunkAssembler assembler) {
            this.assembler = assembler;
        }

        void begin(ChunkEntry e) {
            assembler.begin(e);
            requested = false;
            hasData = false;
            heard.clear();
            restart();
        }

        /** Forgets the requests made, so what is missing is asked for afresh. */
        void restart() {
            sent = false;
            interval = RETRY_FIRST;
            backingOff = false;
            holding = false;
            resend = false;
        }

        int received(int blockSize) {
            return PacketCodec.blockCount(assembler.entry().storedLength(), blockSize) - assembler.missingBlocks();
        }
    }

    private final long sessionId;
    private final UUID image;
    private final int blockSize;
    private final long member;
    private final List<ChunkEntry> index;
    private final int chunkCount;
    private final BitSet done = new BitSet();
    private final Slot[] slots = new Slot[SLOTS];
    private final RandomGenerator random;
    private long senderChunk;
    private long rate;
    private long queued;
    private long lastDataChunk = -1;
    private long lastDataAt;
    private long foreign;
    private long mismatched;
    private long badChunks;
    private long requestsSent;
    private long suppressed;
    private final long[] asks = new long[ReceiverFigures.Reason.values().length];
    private final long[] asked = new long[ReceiverFigures.Reason.values().length];
    /** Chunks whose slot went to another chunk, and chunks that failed the check, until asked for again. */
    private final BitSet evicted = new BitSet();
    private final BitSet failed = new BitSet();
    private long blocksTaken;
    private long blocksDuplicate;
    private long blocksOfWritten;
    private long evictions;
    private long blocksEvicted;
    private long blocksNoSlot;
    private BadChunk lastBad;

    /**
     * @param index the image's index entries, entry k for chunk k
     * @param done chunks not to be received: confirmed by the join, and holes
     */
    ReceiverCore(long sessionId, UUID image, long member, int blockSize, int chunkSize, List<ChunkEntry> index,
            BitSet done, RandomGenerator random) {
        this.sessionId = sessionId;
        this.image = image;
        this.member = member;
        this.blockSize = blockSize;
        this.index = List.copyOf(index);
        this.chunkCount = this.index.size();
        this.done.or(done);
        this.random = random;
        for (int i = 0; i < SLOTS; i++) {
            slots[i] = new Slot(new ChunkAssembler(sessionId, image, blockSize, chunkSize));
        }
    }

    /** Whether every chunk is written (or was confirmed before). */
    boolean complete() {
        return done.cardinality() == chunkCount;
    }

    /**
     * Takes a DATA packet; on {@link Outcome#CHECKED} the chunk's plain bytes are in {@code dst} from 0 and the
     * chunk counts as written: the caller takes them (and gives another {@code dst}) before the next packet.
     */
    Outcome onData(Packet.Data d, long now, ByteBuffer dst) {
        if (d.sessionId() != sessionId || !d.image().equals(image)) {
            foreign++;
            return Outcome.FOREIGN;
        }
        if (d.chunk() >= chunkCount || d.storedLength() != index.get((int) d.chunk()).storedLength()
                || d.blockSize() != blockSize) {
            mismatched++;
            return Outcome.MISMATCH;
        }
        int c = (int) d.chunk();
        senderChunk = c;
        lastDataChunk = c;
        lastDataAt = now;
        if (done.get(c)) {
            blocksOfWritten++;
            return Outcome.IGNORED;
        }
        Slot s = held(c);
        if (s == null) {
            s = free();
            if (s == null) {
                s = fewestBlocks();
                evictions++;
                blocksEvicted += s.received(blockSize);
                evicted.set((int) s.assembler.entry().number());
            }
            s.begin(index.get(c));
        }
        s.hasData = true;
        s.lastDataAt = now;
        switch (s.assembler.offer(d)) {
        case ACCEPTED:
            blocksTaken++;
            return Outcome.ACCEPTED;
        case COMPLETE:
            blocksTaken++;
            break;
        default:
            blocksDuplicate++;
            return Outcome.IGNORED;
        }
        BadChunk bad = s.assembler.check(dst);
        if (bad != null) {
            badChunks++;
            failed.set(c);
            lastBad = bad;
            s.restart();
            return Outcome.BAD;
        }
        s.requested = false;
        done.set(c);
        return Outcome.CHECKED;
    }

    /** Hears a REQUEST: another member's ask for a chunk this receiver is about to ask for holds its own back. */
    void onRequest(Packet.Request r, long now) {
        if (r.sessionId() != sessionId || !r.image().equals(image)) {
            foreign++;
            return;
        }
        if (r.chunk() >= chunkCount || r.storedLength() != index.get((int) r.chunk()).storedLength()
                || r.blockSize() != blockSize) {
            mismatched++;
            return;
        }
        Slot s = held((int) r.chunk());
        if (r.member() == member || s == null || !s.requested) {
            return;
        }
        if (s.heard.size() == HEARD_MAX) {
            s.heard.removeFirst();
        }
        BitSet blocks = new BitSet();
        addBlocks(r, blocks);
        s.heard.addLast(new Heard(now, blocks));
    }

    /** Hears a STATUS: where the sender is and how fast it goes. */
    void onStatus(Packet.Status st) {
        if (st.sessionId() != sessionId || !st.image().equals(image)) {
            foreign++;
            return;
        }
        if (st.chunkCount() != chunkCount) {
            mismatched++;
            return;
        }
        senderChunk = st.chunk();
        rate = st.rate();
        queued = st.queued();
    }

    /** The REQUESTs to send at {@code now}. Called every few milliseconds. */
    List<Packet.Request> due(long now) {
        fillWindow(now);
        List<Packet.Request> out = new ArrayList<>();
        for (Slot s : slots) {
            if (s.requested && s.assembler.entry() != null) {
                decide(s, now, out);
            }
        }
        return out;
    }

    private void decide(Slot s, long now, List<Packet.Request> out) {
        boolean answered = s.sent && s.hasData && s.lastDataAt - s.sentAt >= 0;
        if (!stalled(s, now)) {
            // DATA of the chunk is arriving: nothing to ask for while it comes.
            s.backingOff = false;
            s.holding = false;
            if (answered) {
                s.sent = false;
                s.interval = RETRY_FIRST;
            }
            return;
        }
        if (s.sent) {
            if (answered) {
                s.sent = false;
                s.interval = RETRY_FIRST;
            } else if (now - s.sentAt < s.wait) {
                return;
            } else {
                s.sent = false;
                s.resend = true;
                s.interval = Math.min(2 * s.interval, RETRY_MAX);
            }
        }
        if (s.holding) {
            if (now - s.holdUntil < 0) {
                return;
            }
            s.holding = false;
        }
        if (!s.backingOff) {
            s.backingOff = true;
            s.backoffFrom = now;
            s.backoffUntil = now + random.nextLong(BACKOFF + 1);
        }
        if (now - s.backoffUntil < 0) {
            return;
        }
        s.backingOff = false;
        List<Packet.Request> asks = s.assembler.requests(member);
        if (covered(s, asks)) {
            suppressed++;
            s.holding = true;
            s.holdUntil = now + SUPPRESS;
            return;
        }
        out.addAll(asks);
        requestsSent += asks.size();
        count(s, asks);
        s.sent = true;
        s.sentAt = now;
        s.wait = Math.max(s.interval, queueWait(s));
    }

    /**
     * Twice the time the sender needs for the chunks in its queue (from STATUS) and this one at its rate: an ask
     * behind them is not lost, only waiting, and asking again while it waits had the chunk's passed blocks sent
     * twice when the ask came in while it was being sent.
     */
    private long queueWait(Slot s) {
        if (rate <= 0) {
            return 0;
        }
        int stored = s.assembler.entry().storedLength();
        // In double: the queue length is the sender's word, up to 2^32 - 1.
        double bytes = (queued + 1.0) * (stored + (double) PacketCodec.blockCount(stored, blockSize) * OVERHEAD);
        return (long) Math.min(QUEUE_WAIT_MAX, 2e9 * bytes / rate);
    }

    private void count(Slot s, List<Packet.Request> rs) {
        int c = (int) s.assembler.entry().number();
        ReceiverFigures.Reason why;
        if (s.resend) {
            why = ReceiverFigures.Reason.TIMEOUT;
        } else if (!rs.get(0).wholeChunk()) {
            why = ReceiverFigures.Reason.GAP;
        } else if (failed.get(c)) {
            why = ReceiverFigures.Reason.BAD;
        } else if (evicted.get(c)) {
            why = ReceiverFigures.Reason.EVICTED;
        } else {
            why = ReceiverFigures.Reason.FIRST;
        }
        s.resend = false;
        failed.clear(c);
        evicted.clear(c);
        BitSet blocks = new BitSet();
        rs.forEach(r -> addBlocks(r, blocks));
        asks[why.ordinal()] += rs.size();
        asked[why.ordinal()] += blocks.cardinality();
    }

    /** Whether REQUESTs heard in the back-off or the 500 ms before it ask for every block this slot lacks. */
    private boolean covered(Slot s, List<Packet.Request> asks) {
        while (!s.heard.isEmpty() && s.backoffFrom - s.heard.peekFirst().at() > SUPPRESS) {
            s.heard.removeFirst();
        }
        if (s.heard.isEmpty()) {
            return false;
        }
        BitSet heard = new BitSet();
        s.heard.forEach(h -> heard.or(h.blocks()));
        BitSet lacks = new BitSet();
        asks.forEach(r -> addBlocks(r, lacks));
        lacks.andNot(heard);
        return lacks.isEmpty();
    }

    /** Sets the blocks {@code r} asks for, as block numbers of its chunk. */
    private static void addBlocks(Packet.Request r, BitSet to) {
        if (r.wholeChunk()) {
            to.set(0, PacketCodec.blockCount(r.storedLength(), r.blockSize()));
            return;
        }
        BitSet m = r.missing();
        for (int i = m.nextSetBit(0); i >= 0; i = m.nextSetBit(i + 1)) {
            to.set(r.firstBlock() + i);
        }
    }

    /**
     * Whether the chunk's DATA stopped: none came yet, DATA of another chunk came after its last, or nothing of it
     * for max(50 ms, 4 blocks at the STATUS rate).
     */
    private boolean stalled(Slot s, long now) {
        if (!s.hasData) {
            return true;
        }
        if (lastDataChunk != s.assembler.entry().number() && lastDataAt - s.lastDataAt > 0) {
            return true;
        }
        long block = rate > 0 ? TimeUnit.SECONDS.toNanos(blockSize + OVERHEAD) / rate : 0;
        return now - s.lastDataAt > Math.max(STALL_MIN, 4 * block);
    }

    /**
     * Tops the window up to 8 requested chunks: partial chunks whose DATA stopped first (they hold blocks already),
     * then the lowest missing chunks at or after the sender's, wrapping around, while a slot is free.
     */
    private void fillWindow(long now) {
        int requested = 0;
        for (Slot s : slots) {
            requested += s.requested && s.assembler.entry() != null ? 1 : 0;
        }
        for (Slot s : slots) {
            if (requested < WINDOW && s.assembler.entry() != null && !s.requested && stalled(s, now)) {
                s.requested = true;
                s.restart();
                requested++;
            }
        }
        int start = (int) Math.min(senderChunk, chunkCount);
        requested = fillFrom(start, chunkCount, requested);
        fillFrom(0, start, requested);
    }

    private int fillFrom(int from, int to, int requested) {
        for (int c = done.nextClearBit(from); c < to && requested < WINDOW; c = done.nextClearBit(c + 1)) {
            if (held(c) != null) {
                continue;
            }
            Slot s = free();
            if (s == null) {
                return WINDOW;
            }
            s.begin(index.get(c));
            s.requested = true;
            requested++;
        }
        return requested;
    }

    private Slot held(int c) {
        for (Slot s : slots) {
            if (s.assembler.entry() != null && s.assembler.entry().number() == c) {
                return s;
            }
        }
        return null;
    }

    private Slot free() {
        for (Slot s : slots) {
            if (s.assembler.entry() == null) {
                return s;
            }
        }
        return null;
    }

    /**
     * The slot to evict: the partial chunk with the fewest blocks among those not requested (the window is smaller
     * than the slots, so there is one). A requested chunk waits for its repair; evicting it for DATA that another
     * member asked for threw away nearly whole chunks under load and had them sent whole again.
     */
    private Slot fewestBlocks() {
        Slot min = null;
        for (Slot s : slots) {
            if (!s.requested && (min == null || s.received(blockSize) < min.received(blockSize))) {
                min = s;
            }
        }
        return min;
    }

    /** The chunks requested and not yet complete, lowest first. */
    List<Long> window() {
        List<Long> w = new ArrayList<>();
        for (Slot s : slots) {
            if (s.requested && s.assembler.entry() != null) {
                w.add(s.assembler.entry().number());
            }
        }
        w.sort(null);
        return w;
    }

    long foreign() {
        return foreign;
    }

    long mismatched() {
        return mismatched;
    }

    long badChunks() {
        return badChunks;
    }

    BadChunk lastBad() {
        return lastBad;
    }

    long requestsSent() {
        return requestsSent;
    }

    long suppressed() {
        return suppressed;
    }

    /** The counters so far; {@code receiveBuffer} and {@code socketDrops} are the channel's. */
    ReceiverFigures figures(int receiveBuffer, long socketDrops) {
        return new ReceiverFigures(asks, asked, suppressed, blocksTaken, blocksDuplicate, blocksOfWritten,
                evictions, blocksEvicted, blocksNoSlot, badChunks, receiveBuffer, socketDrops);
    }
}
