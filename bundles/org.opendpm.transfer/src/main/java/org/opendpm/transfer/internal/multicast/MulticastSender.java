package org.opendpm.transfer.internal.multicast;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.opendpm.agent.protocol.multicast.BadPacketException;
import org.opendpm.agent.protocol.multicast.BadPacketLog;
import org.opendpm.agent.protocol.multicast.Packet;
import org.opendpm.agent.protocol.multicast.PacketCodec;
import org.opendpm.image.ImageReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The data plane of one multicast session's sender (docs/multicast.md, "Sender"): a Netty datagram channel that
 * sends the DATA blocks {@link SenderCore} yields, read from the image ahead of the send position and paced by a
 * {@link Pacer} at the rate {@link RateControl} keeps, sends STATUS every 250 ms, and takes REQUESTs on the same
 * channel. A datagram that is not a packet is dropped through {@link BadPacketLog} and never closes the channel.
 * Threads: the channel's event loop (requests, rate windows, STATUS), one sending thread (pacing waits there, not on
 * the event loop), and one thread reading chunks ahead.
 */
public final class MulticastSender {

    private static final Logger LOG = LoggerFactory.getLogger(MulticastSender.class);
    static final long STATUS_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** Chunks read ahead of the one being sent, so the disk read overlaps the sending. */
    static final int READ_AHEAD = 2;
    private static final long IDLE_WAIT_MILLIS = 100;
    /** Datagrams handed to the event loop at once. */
    private static final int BATCH = 32;
    private static final long MIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    /**
     * @param bind the local address and port the channel binds to (and REQUESTs arrive at); with a group as the
     *        destination, the wildcard address and the group's port
     * @param destination where DATA and STATUS go: the session's group and port (or in tests a unicast address)
     * @param ttl the multicast TTL, 0 to 255 (1: the sender's segment only)
     * @param blockSize the session's block size
     * @param maxRate the rate's ceiling, bytes per second, at least {@link RateControl#MIN}
     * @param multicastInterface the interface DATA and STATUS leave by and the group is joined on (the receivers'
     *        REQUESTs go to the group); null with a unicast destination, required with a group
     * @param loopback whether the group's datagrams also reach receivers on the sender's own host (off: the
     *        receivers are other machines, and the sender need not hear its own DATA back)
     */
    public record Settings(InetSocketAddress bind, InetSocketAddress destination, int ttl, int blockSize,
            long maxRate, NetworkInterface multicastInterface, boolean loopback) {
        public Settings {
            Objects.requireNonNull(bind, "bind");
            Objects.requireNonNull(destination, "destination");
            if (ttl < 0 || ttl > 255) {
                throw new IllegalArgumentException("TTL " + ttl + " is outside 0..255");
            }
            if (destination.getAddress().isMulticastAddress() && multicastInterface == null) {
                throw new IllegalArgumentException("group " + destination + " needs an interface to send by");
            }
        }

        /** A unicast destination (tests): no interface, no loopback. */
        public Settings(InetSocketAddress bind, InetSocketAddress destination, int ttl, int blockSize, long maxRate) {
            this(bind, destination, ttl, blockSize, maxRate, null, false);
        }

        /**
         * A group: DATA leaves by {@code iface} with TTL {@code ttl}, REQUESTs are heard on the group's port.
         *
         * @throws IOException {@code iface} names no interface, or one without multicast
         */
        public static Settings group(InetSocketAddress group, String iface, int ttl, int blockSize, long maxRate)
                throws IOException {
            NetworkInterface ni = NetworkInterface.getByName(iface);
            if (ni == null) {
                throw new IOException("no network interface " + iface);
            }
            if (!ni.supportsMulticast() || !ni.isUp()) {
                throw new IOException("network interface " + iface + " is down or has no multicast");
            }
            return new Settings(new InetSocketAddress(group.getPort()), group, ttl, blockSize, maxRate, ni, false);
        }
    }

    private final ImageReader image;
    private final Settings settings;
    private final SenderCore core;
    private final BadPacketLog badPackets;
    private final Semaphore work = new Semaphore(0);
    private final Map<Long, CompletableFuture<ByteBuffer>> readAhead = new HashMap<>();
    private volatile boolean stopping;
    private boolean stopped;
    private final AtomicLong datagramsSent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong chunksServed = new AtomicLong();
    private volatile Throwable failure;
    private EventLoopGroup group;
    private Channel channel;
    private Thread sending;
    private ExecutorService reading;

    /** @param image the session's image, open; the caller closes it after {@link #stop} */
    public MulticastSender(ImageReader image, long sessionId, Settings settings) throws IOException {
        this.image = image;
        this.settings = settings;
        long chunks = image.chunkCount();
        // The reader holds the whole index in memory, so the chunk count fits an array.
        int[] stored = new int[Math.toIntExact(chunks)];
        for (int n = 0; n < stored.length; n++) {
            stored[n] = image.entry(n).storedLength();
        }
        UUID id = image.header().imageId();
        this.core = new SenderCore(sessionId, id, settings.blockSize(), stored, settings.maxRate());
        this.badPackets = new BadPacketLog("multicast session " + sessionId, LOG::warn, System::nanoTime);
    }

    /** Binds the channel and starts sending STATUS and serving requests. */
    public synchronized void start() throws InterruptedException {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        group = new NioEventLoopGroup(1, new DefaultThreadFactory("opendpm-multicast-io", true));
        InetAddress to = settings.destination().getAddress();
        boolean multicast = to.isMulticastAddress();
        try {
            Bootstrap b = new Bootstrap().group(group)
                    .channelFactory(() -> new NioDatagramChannel(to instanceof Inet6Address
                            ? InternetProtocolFamily.IPv6
                            : InternetProtocolFamily.IPv4))
                    .option(ChannelOption.IP_MULTICAST_TTL, settings.ttl());
            if (multicast) {
                // Another session may use the same group and port from this host (docs/multicast.md "Addresses").
                b.option(ChannelOption.SO_REUSEADDR, true)
                        .option(ChannelOption.IP_MULTICAST_IF, settings.multicastInterface())
                        // The JDK's option, not Netty's IP_MULTICAST_LOOP_DISABLED: Netty's NIO transport passes
                        // that one to the JDK unnegated (4.1.138), so "disabled" turned loopback on, and the sender's
                        // own DATA, looped back, overflowed its socket and crowded out the receivers' REQUESTs.
                        .option(NioChannelOption.of(StandardSocketOptions.IP_MULTICAST_LOOP), settings.loopback());
            }
            channel = b.option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
                    .option(ChannelOption.SO_RCVBUF, 1024 * 1024)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(PacketCodec.MAX_DATAGRAM))
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                    .handler(new Requests())
                    .bind(settings.bind()).sync().channel();
            if (multicast) {
                // The receivers' REQUESTs go to the group, so that the others hear them too.
                ChannelFuture joined = ((NioDatagramChannel) channel).joinGroup(settings.destination(),
                        settings.multicastInterface()).await();
                if (!joined.isSuccess()) {
                    throw new IllegalStateException("cannot join " + settings.destination().getAddress() + " on "
                            + settings.multicastInterface().getName() + ": " + joined.cause(), joined.cause());
                }
            }
        } catch (InterruptedException | RuntimeException e) {
            stop();
            throw e;
        }
        reading = Executors.newSingleThreadExecutor(new DefaultThreadFactory("opendpm-multicast-read", true));
        channel.eventLoop().scheduleAtFixedRate(core::endWindow, RateControl.WINDOW_NANOS, RateControl.WINDOW_NANOS,
                TimeUnit.NANOSECONDS);
        channel.eventLoop().scheduleAtFixedRate(this::sendStatus, 0, STATUS_NANOS, TimeUnit.NANOSECONDS);
        sending = new Thread(this::sendLoop, "opendpm-multicast-send-" + core.sessionId());
        sending.setDaemon(true);
        sending.start();
        LOG.info("Multicast session {} sends image {} from {} to {}{} ({}-byte blocks, at most {} B/s)",
                core.sessionId(), core.image(), channel.localAddress(), settings.destination(),
                multicast ? " by " + settings.multicastInterface().getName() + ", TTL " + settings.ttl() : "",
                core.blockSize(), settings.maxRate());
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** {@code member} joined (or rejoined): its REQUESTs are served. */
    public void admit(long member) {
        core.admit(member);
    }

    /** {@code member} was dropped or is done: its REQUESTs are refused from now on. */
    public void remove(long member) {
        core.remove(member);
    }

    /** DATA datagrams sent so far. */
    public long datagramsSent() {
        return datagramsSent.get();
    }

    /** Bytes of DATA datagrams sent so far. */
    public long bytesSent() {
        return bytesSent.get();
    }

    /** Chunks (or parts of chunks) served from the queue so far: each change of the chunk being sent. */
    public long chunksServed() {
        return chunksServed.get();
    }

    /** REQUESTs refused so far, for any reason. */
    public long requestsDropped() {
        long n = 0;
        for (SenderCore.Verdict v : SenderCore.Verdict.values()) {
            n += v == SenderCore.Verdict.QUEUED ? 0 : core.count(v);
        }
        return n;
    }

    /** REQUESTs that met {@code v}. */
    long requests(SenderCore.Verdict v) {
        return core.count(v);
    }

    /** Datagrams dropped for {@code reason}. */
    public long badPackets(BadPacketException.Reason reason) {
        return badPackets.count(reason);
    }

    /** The current rate, bytes per second. */
    public long rate() {
        return core.rate();
    }

    /** The sender's figures as one line (docs/multicast.md, "Figures"). */
    public String figures() {
        return core.figures();
    }

    /** Why sending stopped on its own (the image could not be read), or null. */
    public Throwable failure() {
        return failure;
    }

    /** Stops sending, closes the channel and releases every thread; safe to call more than once. */
    public synchronized void stop() {
        stopping = true;
        if (sending != null) {
            sending.interrupt();
            try {
                sending.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (reading != null) {
            reading.shutdownNow();
        }
        if (channel != null) {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            if (!stopped) {
                LOG.info("Multicast session {} stopped: {}", core.sessionId(), core.figures());
            }
        }
        stopped = true;
    }

    /** Not after a failure: the receivers then hear nothing and report it over their links, as for a dead sender. */
    private void sendStatus() {
        if (!stopping && failure == null) {
            write(core.status());
        }
    }

    private void sendLoop() {
        Pacer pacer = new Pacer(core.rate(), System.nanoTime());
        List<DatagramPacket> batch = new ArrayList<>(BATCH);
        long chunk = -1;
        ByteBuffer stored = null;
        try {
            while (!stopping) {
                RequestQueue.Block b = core.next();
                if (b == null) {
                    submit(batch);
                    work.tryAcquire(IDLE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                    work.drainPermits();
                    continue;
                }
                if (b.chunk() != chunk) {
                    chunk = b.chunk();
                    stored = chunkBytes(chunk);
                    chunksServed.incrementAndGet();
                }
                int s = core.storedLength(chunk);
                int n = PacketCodec.blockLength(s, core.blockSize(), b.block());
                Packet.Data d = new Packet.Data(core.sessionId(), core.image(), chunk, s, core.blockSize(), b.block(),
                        stored.slice(b.block() * core.blockSize(), n));
                pacer.setRate(core.rate());
                for (long wait = pacer.take(PacketCodec.size(d), System.nanoTime()); wait > 0; wait = pacer
                        .take(PacketCodec.size(d), System.nanoTime())) {
                    submit(batch);
                    // Not less than MIN_PARK: a wait of one datagram's time each would cost a wake-up per datagram;
                    // the bucket's burst still bounds what leaves at once.
                    LockSupport.parkNanos(Math.max(wait, MIN_PARK_NANOS));
                    if (stopping) {
                        return;
                    }
                }
                batch.add(datagram(d));
                datagramsSent.incrementAndGet();
                bytesSent.addAndGet(PacketCodec.size(d));
                if (batch.size() == BATCH) {
                    submit(batch);
                }
            }
        } catch (InterruptedException e) {
            // stop() interrupts: nothing more to send.
        } catch (IOException | ExecutionException | RuntimeException e) {
            if (!stopping) {
                failure = e instanceof ExecutionException ? e.getCause() : e;
                LOG.error("Multicast session {} stopped sending: {}", core.sessionId(), failure.toString());
            }
        } finally {
            batch.forEach(DatagramPacket::release);
        }
    }

    /**
     * Hands the datagrams to the event loop as one task with one flush: a write from this thread per datagram would
     * wake the event loop per datagram, which cost more CPU than the sending itself.
     */
    private void submit(List<DatagramPacket> batch) {
        if (batch.isEmpty()) {
            return;
        }
        // The pacer keeps the rate; this only guards against a socket that cannot keep up at all.
        while (!channel.isWritable() && !stopping) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        List<DatagramPacket> out = List.copyOf(batch);
        batch.clear();
        channel.eventLoop().execute(() -> {
            for (DatagramPacket p : out) {
                channel.write(p, channel.voidPromise());
            }
            channel.flush();
        });
    }

    /** Chunk {@code n}'s stored bytes, and the reads of the next chunks started; only the sending thread calls it. */
    private ByteBuffer chunkBytes(long n) throws IOException, InterruptedException, ExecutionException {
        List<Long> wanted = core.upcoming(READ_AHEAD);
        readAhead.keySet().removeIf(c -> c != n && !wanted.contains(c));
        for (long c : wanted) {
            readAhead.computeIfAbsent(c, this::read);
        }
        CompletableFuture<ByteBuffer> f = readAhead.computeIfAbsent(n, this::read);
        ByteBuffer b = f.get();
        if (b.remaining() != core.storedLength(n)) {
            throw new IOException("chunk " + n + " read " + b.remaining() + " bytes, not its stored length "
                    + core.storedLength(n));
        }
        return b;
    }

    private CompletableFuture<ByteBuffer> read(long n) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return image.readStoredChunk(n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, reading);
    }

    private void write(Packet p) {
        channel.writeAndFlush(datagram(p));
    }

    private DatagramPacket datagram(Packet p) {
        int size = PacketCodec.size(p);
        ByteBuf buf = channel.alloc().directBuffer(size);
        PacketCodec.encode(p, buf.nioBuffer(0, size));
        buf.writerIndex(size);
        return new DatagramPacket(buf, settings.destination());
    }

    /** Takes REQUESTs; everything else is dropped without ever closing the channel. Runs on the event loop. */
    private final class Requests extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket datagram) {
            Packet p;
            try {
                p = PacketCodec.decode(datagram.content().nioBuffer());
            } catch (BadPacketException e) {
                badPackets.dropped(e, datagram.sender());
                return;
            }
            // DATA and STATUS are this sender's own, heard back from the group, or another session's: not ours.
            if (p instanceof Packet.Request r
                    && core.offer(r, datagram.sender().getAddress(), System.nanoTime()) == SenderCore.Verdict.QUEUED) {
                work.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("Multicast session {}: {}", core.sessionId(), cause.toString());
        }
    }
}
