package org.opendpm.agent.multicast;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;

import org.opendpm.agent.protocol.multicast.BadPacketException;
import org.opendpm.agent.protocol.multicast.BadPacketLog;
import org.opendpm.agent.protocol.multicast.Packet;
import org.opendpm.agent.protocol.multicast.PacketCodec;
import org.opendpm.image.ChunkEntry;

/**
 * A multicast receiver's data plane (docs/multicast.md, "Receiver"): a {@code java.nio} datagram channel that takes
 * DATA and STATUS, hears and sends REQUESTs through {@link ReceiverCore}'s decisions, and hands each checked chunk to
 * a writing thread (a queue of {@link #WRITE_QUEUE}) that puts it on the {@link ChunkDisks}; every 64 MiB or every
 * second that thread flushes the disks, and what was written before the flush becomes {@link #confirmed()}. {@link #run()} returns when every chunk is written and flushed or when stopped, and
 * throws when a disk fails or nothing of the session was heard for the silence bound.
 */
public final class MulticastReceiver implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MulticastReceiver.class.getName());
    private static final long TICK_MILLIS = 5;
    private static final long FLUSH_BYTES = 64L << 20;
    private static final long FLUSH_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int ALIGNMENT = 4096;
    /**
     * The socket's receive buffer asked for: with the kernel's overhead (a 1450-byte datagram takes 2 to 4 KiB of
     * it) 8 MiB holds a few tens of ms of DATA at 120 MB/s, so a receiver held up by its scheduler loses nothing. Linux
     * grants min(asked, net.core.rmem_max); the Deploy-OS raises rmem_max, and what was granted is logged when short
     * and in the figures.
     */
    static final int RECEIVE_BUFFER = 8 << 20;
    /**
     * Checked chunks waiting for the disk (docs/multicast.md, "Memory"): a writing thread puts them there, so the
     * receiving thread goes on taking DATA while a chunk is written; with all of them waiting it waits too, and a
     * slow disk throttles the receiving, not the memory.
     */
    static final int WRITE_QUEUE = 4;
    private static final long WAIT_MILLIS = 100;

    /** A checked chunk to write, or (entry null) a flush, the last one when {@code end}. */
    private record Job(ChunkEntry entry, ByteBuffer plain, boolean end) {
    }

    /**
     * What the join gives a member.
     *
     * @param index the image's index, entry k for chunk k (checked by the link against the image's trailer)
     * @param confirmed chunks the server recorded as written for this machine in this session
     */
    public record Join(long sessionId, UUID image, long member, int blockSize, int chunkSize, List<ChunkEntry> index,
            BitSet confirmed) {
        public Join {
            index = List.copyOf(index);
            confirmed = (BitSet) confirmed.clone();
            for (int k = 0; k < index.size(); k++) {
                if (index.get(k).number() != k) {
                    throw new IllegalArgumentException("index entry " + k + " is numbered " + index.get(k).number());
                }
            }
            if (confirmed.length() > index.size()) {
                throw new IllegalArgumentException("chunk " + (confirmed.length() - 1) + " confirmed of "
                        + index.size());
            }
        }
    }

    private final Join session;
    private final ChunkDisks disks;
    private final ReceiverCore core;
    private final DatagramChannel channel;
    private final Selector selector;
    private final InetSocketAddress requestsTo;
    private final Duration silence;
    private final BadPacketLog badLog;
    private final LongSupplier clock;
    private final Predicate<Packet.Data> lose;
    /**
     * Plain-chunk buffers not in the write queue; the receiving thread checks into {@link #plain}. Room for all of
     * them: the writer may give one back after {@link #plain} went to the queue and before a free one was taken.
     */
    private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(WRITE_QUEUE + 1);
    private final BlockingQueue<Job> writes = new LinkedBlockingQueue<>();
    private ByteBuffer plain;
    private volatile IOException writeFailure;
    private final BitSet written = new BitSet();
    private final BitSet confirmed = new BitSet();
    private volatile boolean stopped;
    private volatile long bytesWritten;
    private final long rcvbufErrorsAtStart = UdpCounters.rcvbufErrors();
    private volatile ReceiverFigures figures;

    /**
     * Opens a receiver's channel: bound to {@code bind} (the group's port on the wildcard address, or in tests a
     * unicast address; of the group's address family), and joined to {@code group} on {@code iface} unless {@code
     * group} is null (unicast). The receiver hears its session from here on; {@link #close()} leaves the group
     * (closing the channel drops its memberships).
     *
     * @throws IllegalArgumentException {@code bind} and {@code group} are of different address families
     */
    public static DatagramChannel open(InetSocketAddress bind, InetAddress group, NetworkInterface iface)
            throws IOException {
        if (group != null && group instanceof Inet6Address != bind.getAddress() instanceof Inet6Address) {
            // The channel's family is the bind address's, and an IPv4 channel cannot join an IPv6 group.
            throw new IllegalArgumentException("group " + group.getHostAddress() + " and bind address "
                    + bind.getAddress().getHostAddress() + " are of different address families");
        }
        DatagramChannel ch = DatagramChannel.open(bind.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET);
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
            int granted = ch.getOption(StandardSocketOptions.SO_RCVBUF);
            if (granted < RECEIVE_BUFFER) {
                LOG.warning("Multicast receive buffer: " + granted + " bytes granted of " + RECEIVE_BUFFER
                        + " asked for (net.core.rmem_max); DATA may be lost while the receiver is busy");
            }
            ch.bind(bind);
            if (group != null) {
                // REQUESTs leave by the interface of the agent link; this machine need not hear its own.
                ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, iface);
                ch.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
                ch.join(group, iface);
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * @param channel from {@link #open}; the receiver owns it from here on and closes it
     * @param requestsTo where REQUESTs go: the group and port, or in tests the sender's unicast address
     * @param silence nothing of the session heard for this long ends {@link #run()} with an error
     * @param lose for tests: DATA it matches is dropped as if lost on the way; {@code d -> false} otherwise
     */
    public MulticastReceiver(Join session, DatagramChannel channel, InetSocketAddress requestsTo, Duration silence,
            ChunkDisks disks, Predicate<Packet.Data> lose) throws IOException {
        this(session, channel, requestsTo, silence, disks, lose, System::nanoTime, backOffRandom());
    }

    /**
     * The back-off's generator. Not {@code RandomGenerator.getDefault()}: its algorithms live in the module
     * {@code jdk.random}, found as a service, which the Deploy-OS's jlinked runtime does not have.
     */
    static RandomGenerator backOffRandom() {
        return new SplittableRandom();
    }

    MulticastReceiver(Join session, DatagramChannel channel, InetSocketAddress requestsTo, Duration silence,
            ChunkDisks disks, Predicate<Packet.Data> lose, LongSupplier clock, RandomGenerator random)
            throws IOException {
        this.session = session;
        this.channel = channel;
        this.requestsTo = requestsTo;
        this.silence = silence;
        this.disks = disks;
        this.lose = lose;
        this.clock = clock;
        BitSet skip = (BitSet) session.confirmed().clone();
        for (ChunkEntry e : session.index()) {
            if (e.hole()) {
                skip.set((int) e.number());
            }
        }
        this.core = new ReceiverCore(session.sessionId(), session.image(), session.member(), session.blockSize(),
                session.chunkSize(), session.index(), skip, random);
        this.confirmed.or(session.confirmed());
        this.plain = plainBuffer(session.chunkSize());
        for (int i = 0; i < WRITE_QUEUE; i++) {
            free.add(plainBuffer(session.chunkSize()));
        }
        this.badLog = new BadPacketLog("multicast session " + session.sessionId(), LOG::warning, clock);
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    /** A chunk's plain bytes, aligned for O_DIRECT. */
    private static ByteBuffer plainBuffer(int chunkSize) {
        return ByteBuffer.allocateDirect(chunkSize + ALIGNMENT).alignedSlice(ALIGNMENT).slice(0, chunkSize);
    }

    /** The address the channel is bound to. */
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * Receives until every chunk is written and flushed ({@link #done()}), or {@link #stop()}. Holes not confirmed
     * are put in place first.
     *
     * @throws IOException a disk failed, or nothing of the session was heard for the silence bound
     */
    public void run() throws IOException {
        for (ChunkEntry e : session.index()) {
            if (e.hole() && !confirmed.get((int) e.number())) {
                disks.hole(e);
                markWritten(e);
            }
        }
        Thread writer = new Thread(this::writeLoop, "opendpm-multicast-write-" + session.sessionId());
        writer.setDaemon(true);
        writer.start();
        try {
            receive();
        } finally {
            writes.add(new Job(null, null, true));
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                writer.interrupt();
            }
        }
        checkWriter();
        figures = figures();
    }

    private void receive() throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(PacketCodec.MAX_DATAGRAM);
        long heard = clock.getAsLong();
        long flushedAt = heard;
        long unflushed = 0;
        long silenceNanos = silence.toNanos();
        while (!stopped && !core.complete()) {
            selector.select(TICK_MILLIS);
            selector.selectedKeys().clear();
            SocketAddress from;
            while (!stopped && (from = channel.receive(buf.clear())) != null) {
                long now = clock.getAsLong();
                Packet p;
                try {
                    p = PacketCodec.decode(buf.flip());
                } catch (BadPacketException e) {
                    badLog.dropped(e, from);
                    continue;
                }
                if (ours(p)) {
                    heard = now;
                }
                if (p instanceof Packet.Data d) {
                    unflushed += data(d, now);
                } else if (p instanceof Packet.Request r) {
                    core.onRequest(r, now);
                } else if (p instanceof Packet.Status s) {
                    core.onStatus(s);
                }
            }
            long now = clock.getAsLong();
            for (Packet.Request r : core.due(now)) {
                channel.send(ByteBuffer.wrap(PacketCodec.encode(r)), requestsTo);
            }
            checkWriter();
            if (unflushed >= FLUSH_BYTES || now - flushedAt >= FLUSH_NANOS) {
                writes.add(new Job(null, null, false));
                flushedAt = now;
                unflushed = 0;
            }
            if (!core.complete() && now - heard > silenceNanos) {
                throw new IOException("nothing of multicast session " + session.sessionId() + " heard for "
                        + silence.toMillis() / 1000.0 + " s (" + written.cardinality() + " chunks written, "
                        + missing() + " missing)");
            }
        }
    }

    /**
     * The writing thread: writes the queued chunks in turn and flushes where the receiving thread asked, so a flush
     * confirms exactly what was written before it; the end's flush is the last. A disk's failure stops it and is
     * thrown by the receiving thread.
     */
    private void writeLoop() {
        try {
            for (Job j = writes.take(); true; j = writes.take()) {
                if (j.entry() != null) {
                    ChunkEntry e = j.entry();
                    disks.write(e, j.plain().duplicate().clear().limit(e.length()));
                    markWritten(e);
                    bytesWritten += e.length();
                    free.add(j.plain());
                } else {
                    flush();
                    if (j.end()) {
                        return;
                    }
                }
            }
        } catch (IOException e) {
            writeFailure = e;
        } catch (RuntimeException e) {
            writeFailure = new IOException("writing a chunk failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkWriter() throws IOException {
        IOException e = writeFailure;
        if (e != null) {
            throw e;
        }
    }

    /**
     * What was asked for and why, and what became of the DATA (docs/multicast.md, "Figures"); final once
     * {@link #run()} returned. Only the receiving thread may call it while it runs.
     */
    public ReceiverFigures figures() throws IOException {
        ReceiverFigures f = figures;
        if (f != null) {
            return f;
        }
        long now = UdpCounters.rcvbufErrors();
        return core.figures(channel.getOption(StandardSocketOptions.SO_RCVBUF), now < 0 || rcvbufErrorsAtStart < 0
                ? -1
                : now - rcvbufErrorsAtStart);
    }

    private boolean ours(Packet p) {
        return p.sessionId() == session.sessionId() && p.image().equals(session.image())
                && !(p instanceof Packet.Request);
    }

    /** Returns the bytes handed to the writing thread. */
    private long data(Packet.Data d, long now) throws IOException {
        if (lose.test(d)) {
            return 0;
        }
        ReceiverCore.Outcome o = core.onData(d, now, plain);
        if (o == ReceiverCore.Outcome.BAD) {
            LOG.warning("Multicast session " + session.sessionId() + ": " + core.lastBad().describe()
                    + "; asked for again (" + core.badChunks() + " bad chunks so far)");
        }
        if (o != ReceiverCore.Outcome.CHECKED) {
            return 0;
        }
        ChunkEntry e = session.index().get((int) d.chunk());
        writes.add(new Job(e, plain, false));
        plain = null;
        try {
            while (plain == null) {
                checkWriter();
                // All buffers queued: the disk is behind, and the socket's buffer holds what arrives meanwhile.
                plain = free.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException x) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the disk was behind");
        }
        return e.length();
    }

    private synchronized void markWritten(ChunkEntry e) {
        written.set((int) e.number());
    }

    private void flush() throws IOException {
        BitSet now;
        synchronized (this) {
            now = (BitSet) written.clone();
        }
        disks.flush();
        synchronized (this) {
            confirmed.or(now);
        }
    }

    private synchronized int missing() {
        BitSet have = (BitSet) written.clone();
        have.or(confirmed);
        return session.index().size() - have.cardinality();
    }

    /** Chunks written and flushed, or confirmed by the join: what the receiver may report. */
    public synchronized BitSet confirmed() {
        return (BitSet) confirmed.clone();
    }

    /** Whether every chunk is confirmed. */
    public synchronized boolean done() {
        return confirmed.cardinality() == session.index().size();
    }

    /** Plain bytes of chunks written from DATA. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** DATA, REQUESTs and STATUS of another session or image, dropped. */
    public long foreign() {
        return core.foreign();
    }

    /** Packets of this session whose chunk, stored length, block size or chunk count disagree, dropped. */
    public long mismatched() {
        return core.mismatched();
    }

    /** Datagrams the decoder refused, for {@code reason}. */
    public long badPackets(BadPacketException.Reason reason) {
        return badLog.count(reason);
    }

    /** REQUESTs this receiver sent. */
    public long requestsSent() {
        return core.requestsSent();
    }

    /** REQUESTs this receiver held back because another member's asked for the same blocks. */
    public long requestsSuppressed() {
        return core.suppressed();
    }

    /** Complete chunks that failed the check and were asked for again. */
    public long badChunks() {
        return core.badChunks();
    }

    /** Makes {@link #run()} return within a tick. */
    public void stop() {
        stopped = true;
        selector.wakeup();
    }

    @Override
    public void close() throws IOException {
        stop();
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
