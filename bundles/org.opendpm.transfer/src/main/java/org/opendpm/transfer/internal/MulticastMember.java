package org.opendpm.transfer.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;
import org.opendpm.api.agent.AgentRequestException;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.agent.ImageDisk;
import org.opendpm.api.agent.ImageWriteResult;
import org.opendpm.api.agent.ProgressListener;
import org.opendpm.api.multicast.MemberDroppedException;
import org.opendpm.api.multicast.MemberProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

/**
 * One machine in a multicast session, on the server: its join over the agent link (sent again, with the chunks it
 * confirmed, whenever its agent comes back), the confirmed set it reported for the session's life, the end once it
 * has every chunk, and the drop bound. The caller persists progress it hears through {@link MemberProgress}.
 */
final class MulticastMember {

    private static final Logger LOG = LoggerFactory.getLogger(MulticastSessions.class);

    private final MulticastRun run;
    private final long number;
    private final long machineId;
    private final List<ImageDisk> disks;
    private final boolean compare;
    private final MemberProgress progress;
    private final CompletableFuture<ImageWriteResult> result = new CompletableFuture<>();

    // Guarded by this.
    private final BitSet confirmed = new BitSet();
    private long confirmedBytes;
    /** When a chunk was last newly confirmed (or the member joined): the drop clock. */
    private long lastNew = System.nanoTime();
    /** When the link was lost, while no agent session carries the member. */
    private long lostAt = -1;
    private AgentSession session;
    private long requestId;
    private CompletableFuture<ImageWriteResult> request;
    private boolean endSent;
    private String mac = "";

    MulticastMember(MulticastRun run, long number, long machineId, List<ImageDisk> disks, boolean compare,
            MemberProgress progress) {
        this.run = run;
        this.number = number;
        this.machineId = machineId;
        this.disks = List.copyOf(disks);
        this.compare = compare;
        this.progress = progress;
        result.whenComplete((r, t) -> {
            CompletableFuture<ImageWriteResult> f;
            synchronized (this) {
                f = request;
            }
            if (result.isCancelled() && f != null) {
                f.cancel(true); // the agent is sent cancel: it leaves the group and closes its disks
            }
        });
    }

    long number() {
        return number;
    }

    long machineId() {
        return machineId;
    }

    synchronized String mac() {
        return mac;
    }

    CompletableFuture<ImageWriteResult> result() {
        return result;
    }

    void fail(Throwable t) {
        result.completeExceptionally(t);
    }

    /** Sends the join and the index over {@code s}, with the chunks confirmed so far; any thread. */
    void attach(AgentSession s) {
        Message.MulticastJoin join;
        MulticastRun.MemberIndex index;
        synchronized (this) {
            if (result.isDone() || session == s) {
                return;
            }
            session = s;
            mac = s.mac();
            lostAt = -1;
            endSent = false;
            requestId = s.newId();
            index = run.index(disks);
            List<Message.ChunkRange> ranges = new ArrayList<>();
            for (int a = confirmed.nextSetBit(0); a >= 0 && ranges.size() < Message.MAX_RANGES; a = confirmed
                    .nextSetBit(a)) {
                int b = confirmed.nextClearBit(a);
                ranges.add(new Message.ChunkRange(a, b - 1));
                a = b;
            }
            List<Message.DiskGeometry> geometries = new ArrayList<>();
            for (int i = 0; i < disks.size(); i++) {
                ImageDisk d = disks.get(i);
                geometries.add(new Message.DiskGeometry(d.number(), run.header().disks().get(i).size(), d
                        .sectorSize()));
            }
            join = new Message.MulticastJoin(requestId, s.newTransferId(), run.id(), run.header().imageId(), number,
                    run.group().getAddress().getHostAddress(), run.group().getPort(),
                    run.blockSize(), geometries, run.header().chunkSize(), run.chunks(), index.crc32c(),
                    ranges, compare, (int) run.dropBound().toSeconds());
            long id = requestId;
            s.listenMulticast(id, m -> event(s, id, m));
            request = s.request(join, Message.MulticastResult.class, null, ProgressListener.NONE, a -> {
                Message.MulticastResult r = (Message.MulticastResult) a;
                return new ImageWriteResult(r.chunks(), r.bytesWritten(), r.compared(), r.mismatches().stream()
                        .map(x -> new ImageWriteResult.Mismatch(x.chunk(), x.disk(), x.diskOffset())).toList());
            });
            request.whenComplete((r, t) -> answered(s, id, r, t));
        }
        sendIndex(s, join.transferId(), index.bytes());
        LOG.info("Multicast session {}: member {} (machine {}) joins through {} with {} chunks confirmed", run.id(),
                number, machineId, s.describeAgent(), join.confirmed().stream().mapToLong(Message.ChunkRange::count)
                        .sum());
    }

    /** The index as data frames, queued behind the join on the event loop. */
    private static void sendIndex(AgentSession s, long transferId, ByteBuffer index) {
        Channel ch = s.channel();
        ch.eventLoop().execute(() -> {
            if (!s.isOpen()) {
                return;
            }
            for (int at = 0; at < index.limit(); at += FrameCodec.MAX_CHUNK) {
                int n = Math.min(FrameCodec.MAX_CHUNK, index.limit() - at);
                ch.write(NettyFrames.data(ch.alloc(), transferId, Unpooled.wrappedBuffer(index.slice(at, n))));
            }
            ch.flush();
        });
    }

    /** An event of the join {@code id} on {@code s}; event loop. */
    private void event(AgentSession s, long id, Message m) {
        long chunks;
        long bytes;
        synchronized (this) {
            if (session != s || requestId != id || result.isDone()) {
                return;
            }
            if (!(m instanceof Message.MulticastProgress p)) {
                return; // multicastJoined: the agent has its disks open and the group joined
            }
            int fresh = 0;
            for (Message.ChunkRange r : p.confirmed()) {
                if (r.last() >= run.chunks()) {
                    misbehaved("multicastProgress names chunk " + r.last() + " of an image of " + run.chunks()
                            + " chunks");
                    return;
                }
                for (int k = (int) r.first(); k <= r.last(); k++) {
                    if (!confirmed.get(k)) {
                        confirmed.set(k);
                        confirmedBytes += run.length(k);
                        fresh++;
                    }
                }
            }
            if (fresh > 0) {
                lastNew = System.nanoTime();
            }
            chunks = confirmed.cardinality();
            bytes = confirmedBytes;
            if (chunks == run.chunks() && !endSent) {
                endSent = true;
                s.channel().writeAndFlush(NettyFrames.control(new Message.MulticastEnd(id)));
            }
        }
        try {
            progress.confirmed(chunks, bytes);
        } catch (RuntimeException e) {
            LOG.warn("Multicast member progress {} failed: {}", progress.getClass().getName(), e.toString());
        }
    }

    /** The agent sent something wrong: the member fails and the agent is told to stop. */
    private void misbehaved(String fault) {
        LOG.warn("Multicast session {}: the agent of member {} (machine {}) failed: {}", run.id(), number, machineId,
                fault);
        result.completeExceptionally(new AgentRequestException("The agent of machine " + machineId + " failed in"
                + " multicast session " + run.id() + ": " + fault));
        request.cancel(true);
    }

    /** The join {@code id} on {@code s} was answered or failed. */
    private void answered(AgentSession s, long id, ImageWriteResult r, Throwable t) {
        s.unlistenMulticast(id);
        synchronized (this) {
            if (session != s || requestId != id || result.isDone()) {
                return; // superseded by a rejoin, or over already
            }
            if (t instanceof AgentUnavailableException) {
                // The link was lost: the agent stopped the member; it rejoins when its agent comes back.
                session = null;
                lostAt = System.nanoTime();
                LOG.info("Multicast session {}: member {} (machine {}) lost its agent link; {} of {} chunks"
                        + " confirmed", run.id(), number, machineId, confirmed.cardinality(), run.chunks());
                return;
            }
            if (t == null && confirmed.cardinality() != run.chunks()) {
                t = new AgentRequestException("The agent of machine " + machineId + " answered 'multicastResult'"
                        + " with " + confirmed.cardinality() + " of " + run.chunks() + " chunks confirmed");
            } else if (t == null && r.chunks() != run.chunks()) {
                t = new AgentRequestException("The agent of machine " + machineId + " reports " + r.chunks()
                        + " chunks; the image has " + run.chunks());
            }
        }
        if (t != null) {
            result.completeExceptionally(t);
        } else {
            result.complete(r);
        }
    }

    /** Drops the member when it stayed behind beyond the drop bound. */
    void checkDrop(long now) {
        String why;
        AgentSession s;
        long id;
        synchronized (this) {
            long chunks = confirmed.cardinality();
            long bound = run.dropBound().toNanos();
            if (result.isDone() || chunks == run.chunks() || now - lastNew < bound) {
                return; // the flush and compare after the last chunk are not bounded
            }
            why = (lostAt >= 0 && now - lostAt >= bound ? "agent link lost for " : "no chunk confirmed for ")
                    + run.dropBound().toSeconds() + " s (" + chunks + " of " + run.chunks() + " chunks written)";
            s = session;
            id = requestId;
        }
        LOG.warn("Multicast session {}: member {} (machine {}) dropped: {}", run.id(), number, machineId, why);
        if (!result.completeExceptionally(new MemberDroppedException(why))) {
            return;
        }
        if (s != null) {
            s.unlistenMulticast(id);
            s.requests().fail(id, new MemberDroppedException(why));
            Channel ch = s.channel();
            ch.writeAndFlush(NettyFrames.control(new Message.ErrorAnswer(id, Message.ErrorAnswer.DROPPED, why)));
        }
    }
}
