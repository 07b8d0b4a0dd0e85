package org.opendpm.netboot.internal.tftp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.opendpm.netboot.internal.tftp.FileJail.JailException;
import org.opendpm.netboot.internal.tftp.OptionNegotiator.Negotiated;
import org.opendpm.netboot.internal.tftp.OptionNegotiator.OptionRefusedException;
import org.opendpm.netboot.internal.tftp.TftpPacket.Option;
import org.opendpm.netboot.internal.tftp.TftpStats.ErrorKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * A TFTP server (RFC 1350 with the options of RFC 2347, 2348, 2349 and 7440) on Netty NIO
 * datagram channels. One event loop group serves every transfer, and one more loop thread the
 * listener; each transfer answers from its own ephemeral port, as RFC 1350 requires, so no thread
 * is tied to a transfer. A request repeated by a client whose transfer is still running is
 * dropped (the running transfer retransmits by itself); a different request from the same
 * client port replaces the unfinished transfer.
 *
 * <p>Admission: at most {@link TftpServerConfig#maxActiveTransfers()} transfers run at once; later
 * requests wait in arrival order and start as running ones end. A waiting request starts anyway
 * when its client repeats it for the {@value #REPEATS_BEFORE_FORCED_START}nd time, so queueing
 * never costs a client more than two of its own time-outs (clients retry more often than that).
 * Why: on a saturated host (clients on the same machine, or a slow server), serving a thousand
 * lock-step clients in turn wakes a thousand cold processes and sockets per round; measured on
 * loopback that costs the clients about 40 % more CPU per block than serving 64 at a time. With
 * the limit the total time is no longer and the mean completion time about halves (first come,
 * first served instead of everyone finishing last).
 *
 * <p>Usable without OSGi: construct with a {@link TftpServerConfig}, {@link #start()}, {@link #stop()}.
 * Requests are refused with: ERROR 1 for missing files, ERROR 2 for paths outside the root (see
 * {@link FileJail}) and for WRQ while no write folder is configured, ERROR 4 for malformed
 * requests and unsupported modes, ERROR 8 for refused options (see {@link OptionNegotiator}).
 * Those answers come from the listener's port: no transfer port is opened for a refused request.
 */
public final class TftpServer {

    private static final Logger LOG = LoggerFactory.getLogger(TftpServer.class);

    /** Listener receive buffer: room for a burst of requests from many PXE clients at once. */
    private static final int LISTENER_SO_RCVBUF = 1 << 20;

    private final TftpServerConfig config;
    private final GeneratedFileSource generated;
    private final TftpStats stats = new TftpStats();
    private final OptionNegotiator negotiator;
    private final HotFileCache cache;
    private final Set<Channel> transfers = ConcurrentHashMap.newKeySet();
    /** Transfers by client TID with the request that started them, to recognise repeated requests. */
    private final Map<InetSocketAddress, Active> active = new ConcurrentHashMap<>();

    private record Active(TftpPacket.Request request, Transfer transfer) {
    }

    /** Repeats of a waiting request after which it starts regardless of the limit. */
    static final int REPEATS_BEFORE_FORCED_START = 2;

    /** A request admitted but not yet started; touched on the listener's loop only. */
    private static final class Waiting {
        final Runnable start;
        final Runnable discard;
        int repeats;

        Waiting(Runnable start, Runnable discard) {
            this.start = start;
            this.discard = discard;
        }
    }

    // Admission state, touched on the listener's loop only: no locks.
    private final LinkedHashMap<InetSocketAddress, Waiting> waiting = new LinkedHashMap<>();
    private int running;
    /**
     * Read by the listener's loop without the monitor: stop() holds the monitor while it waits
     * for that loop to end, so a loop that took the monitor to start a waiting transfer would
     * never end.
     */
    private volatile EventLoopGroup transferLoops;
    private volatile boolean stopping;

    // Set by start(), cleared by stop(); guarded by "this".
    private EventLoopGroup listenerGroup;
    private EventLoopGroup group;
    private Channel listener;
    private FileJail jail;

    /**
     * @param generated consulted before the file system for every RRQ; may answer empty for all
     */
    public TftpServer(TftpServerConfig config, GeneratedFileSource generated) {
        this.config = config;
        this.generated = generated;
        this.negotiator = new OptionNegotiator(config.maxBlockSize(), config.maxWindowSize(), config.timeoutMillis());
        this.cache = config.cacheMaxFileBytes() > 0 && config.cacheMaxTotalBytes() > 0
                ? new HotFileCache(config.cacheMaxFileBytes(), config.cacheMaxTotalBytes())
                : null;
    }

    public TftpServerConfig config() {
        return config;
    }

    public TftpStats stats() {
        return stats;
    }

    /** Creates the root if needed and binds the listener; throws if the port is taken. */
    public synchronized void start() throws IOException {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        Files.createDirectories(config.root());
        FileJail newJail = new FileJail(config.root(), config.writeFolder());
        int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        EventLoopGroup newGroup = new NioEventLoopGroup(threads, new DefaultThreadFactory("opendpm-tftp", true));
        // The listener has its own loop: under load a request must not queue behind the packets
        // of hundreds of running transfers, or clients time out and repeat their requests.
        EventLoopGroup newListenerGroup = new NioEventLoopGroup(1,
                new DefaultThreadFactory("opendpm-tftp-listener", true));
        Bootstrap b = new Bootstrap().group(newListenerGroup).channelFactory(this::newChannel)
                .option(ChannelOption.SO_RCVBUF, LISTENER_SO_RCVBUF)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
                .handler(new ListenerHandler());
        ChannelFuture bind = b.bind(new InetSocketAddress(config.bindAddress(), config.port())).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            newListenerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            newGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            throw new IOException("TFTP cannot bind " + config.bindAddress().getHostAddress() + ":" + config.port(),
                    bind.cause());
        }
        this.group = newGroup;
        this.transferLoops = newGroup;
        this.stopping = false;
        this.listenerGroup = newListenerGroup;
        this.listener = bind.channel();
        this.jail = newJail;
        LOG.info("TFTP server on {} serving {}{}", listener.localAddress(), newJail.realRoot(),
                newJail.writeDir().map(w -> ", writable " + w).orElse(", read-only"));
    }

    /** Closes the listener and every transfer (partial uploads are discarded). Idempotent. */
    public synchronized void stop() {
        if (group == null) {
            return;
        }
        stopping = true; // no waiting request starts from here on
        listener.close().awaitUninterruptibly();
        for (Channel c : transfers) {
            c.close();
        }
        listenerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        // The listener's loop has ended: nothing else touches the queue now.
        List<Waiting> dropped = new ArrayList<>(waiting.values());
        waiting.clear();
        running = 0;
        dropped.forEach(w -> w.discard.run());
        LOG.info("TFTP server on {} stopped", listener.localAddress());
        listenerGroup = null;
        group = null;
        listener = null;
        jail = null;
    }

    public synchronized boolean isRunning() {
        return group != null;
    }

    /** The listener's address (the real port when configured with port 0). */
    public synchronized InetSocketAddress localAddress() {
        if (listener == null) {
            throw new IllegalStateException("not started");
        }
        return (InetSocketAddress) listener.localAddress();
    }

    /**
     * An IPv4 socket when bound to an IPv4 address: the JDK's default dual-stack socket sends
     * every packet through the IPv6 path with a mapped address, which costs CPU per packet.
     */
    private NioDatagramChannel newChannel() {
        return config.bindAddress() instanceof Inet4Address
                ? new NioDatagramChannel(InternetProtocolFamily.IPv4)
                : new NioDatagramChannel();
    }

    /** Handles requests on the well-known port; everything else there is refused. */
    private final class ListenerHandler extends SimpleChannelInboundHandler<DatagramPacket> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
            InetSocketAddress client = msg.sender();
            TftpPacket packet;
            try {
                packet = TftpCodec.decode(msg.content());
            } catch (MalformedPacketException e) {
                stats.error(e.kind());
                LOG.debug("TFTP malformed packet from {}: {}", client, e.getMessage());
                if (e.reply() != null) {
                    refuse(ctx, client, e.reply(), e.getMessage());
                }
                return;
            }
            if (packet instanceof TftpPacket.Request request) {
                handleRequest(ctx, client, request);
            } else if (packet instanceof TftpPacket.Error err) {
                stats.error(ErrorKind.PEER_ERROR);
                LOG.debug("TFTP error {} '{}' from {} to the listener", err.code(), err.message(), client);
            } else {
                if (packet instanceof TftpPacket.Data d) {
                    d.content().release();
                }
                stats.error(ErrorKind.UNEXPECTED_OPCODE);
                LOG.debug("TFTP {} from {} to the listener refused", packet.getClass().getSimpleName(), client);
                refuse(ctx, client, TftpErrorCode.ILLEGAL_OPERATION, "expected RRQ or WRQ");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A UDP socket error (e.g. ICMP unreachable surfaced as PortUnreachable) must not
            // close the listener.
            stats.error(ErrorKind.IO_ERROR);
            LOG.debug("TFTP listener error", cause);
        }
    }

    private void refuse(ChannelHandlerContext ctx, InetSocketAddress client, TftpErrorCode code, String message) {
        ctx.writeAndFlush(new DatagramPacket(TftpCodec.error(ctx.alloc(), code, message), client), ctx.voidPromise());
        stats.controlPacketSent();
    }

    private void handleRequest(ChannelHandlerContext ctx, InetSocketAddress client, TftpPacket.Request request) {
        String op = request.write() ? "WRQ" : "RRQ";
        Active previous = active.get(client);
        if (previous != null) {
            if (previous.request().equals(request)) {
                // The client's timer fired before our first packet reached it (or the repeat
                // was queued behind it). A second transfer would be refused by the client, which
                // keeps the first TID, and retransmit into the void for a minute; ending the first
                // would break the transfer the client is using. The first one carries on.
                stats.error(ErrorKind.DUPLICATE_REQUEST);
                LOG.debug("TFTP {} '{}' from {}: repeated request ignored", op, request.filename(), client);
                Waiting w = waiting.get(client);
                if (w != null && ++w.repeats >= REPEATS_BEFORE_FORCED_START && !stopping) {
                    // The client is running out of patience: start it now, above the limit.
                    waiting.remove(client);
                    running++;
                    LOG.debug("TFTP {} '{}' from {}: started after {} repeats in the queue", op,
                            request.filename(), client, w.repeats);
                    w.start.run();
                }
                return;
            }
            // A different request from the same TID (a PXE ROM asking again with other options
            // after its tsize probe): the client has moved on, so the old transfer goes.
            Waiting w = waiting.remove(client);
            if (w != null) {
                w.discard.run();
            } else {
                previous.transfer().abandon();
            }
            active.remove(client, previous);
        }
        if (request.mode() == TftpPacket.Mode.MAIL) {
            stats.error(ErrorKind.ACCESS_DENIED);
            LOG.warn("TFTP {} '{}' from {} refused: mail mode", op, request.filename(), client);
            refuse(ctx, client, TftpErrorCode.ILLEGAL_OPERATION, "mail mode not supported");
            return;
        }
        Negotiated options;
        try {
            options = negotiator.negotiate(request.options());
        } catch (OptionRefusedException e) {
            stats.error(ErrorKind.BAD_OPTION);
            LOG.warn("TFTP {} '{}' from {} refused: {}", op, request.filename(), client, e.getMessage());
            refuse(ctx, client, TftpErrorCode.OPTION_NEGOTIATION, e.getMessage());
            return;
        }
        String path;
        try {
            path = FileJail.normalize(request.filename());
        } catch (JailException e) {
            denied(ctx, client, op, request.filename(), e.getMessage());
            return;
        }
        if (request.write()) {
            handleWrite(ctx, client, request, path, options);
        } else {
            handleRead(ctx, client, request, path, options);
        }
    }

    private void denied(ChannelHandlerContext ctx, InetSocketAddress client, String op, String name, String reason) {
        stats.error(ErrorKind.ACCESS_DENIED);
        LOG.warn("TFTP {} '{}' from {} refused: {}", op, name, client, reason);
        refuse(ctx, client, TftpErrorCode.ACCESS_VIOLATION, "Access violation");
    }

    private void handleRead(ChannelHandlerContext ctx, InetSocketAddress client, TftpPacket.Request request,
            String path, Negotiated options) {
        boolean netascii = request.mode() == TftpPacket.Mode.NETASCII;
        BlockSource source;
        Optional<byte[]> content = generate(path, client);
        if (content.isPresent()) {
            byte[] bytes = content.get();
            source = BlockSource.of(netascii ? Netascii.encode(bytes) : bytes);
            LOG.debug("TFTP RRQ '{}' from {}: generated, {} bytes", path, client, bytes.length);
        } else {
            try {
                source = openFile(path, netascii);
            } catch (NoSuchFileException e) {
                // Normal when a client probes pxelinux.cfg/01-<mac>, <uuid>, C0A8... in turn (OSI-4).
                stats.error(ErrorKind.NOT_FOUND);
                LOG.info("TFTP RRQ '{}' from {}: file not found", path, client);
                refuse(ctx, client, TftpErrorCode.FILE_NOT_FOUND, "File not found");
                return;
            } catch (JailException e) {
                denied(ctx, client, "RRQ", request.filename(), e.getMessage());
                return;
            } catch (AccessDeniedException e) {
                denied(ctx, client, "RRQ", request.filename(), "not readable");
                return;
            } catch (IOException e) {
                stats.error(ErrorKind.IO_ERROR);
                LOG.warn("TFTP RRQ '{}' from {}: {}", path, client, e.toString());
                refuse(ctx, client, TftpErrorCode.NOT_DEFINED, e.getMessage() == null ? "I/O error" : e.getMessage());
                return;
            }
        }
        List<Option> optionAck = options.hasOptionAck() ? options.optionAck(source.size()) : null;
        ReadTransfer transfer = new ReadTransfer(client, path, stats, config.retries(), options.timeoutMillis(),
                source, options.blockSize(), options.windowSize(), optionAck);
        openTransferPort(ctx, client, request, transfer, 516, source::close);
    }

    private Optional<byte[]> generate(String path, InetSocketAddress client) {
        if (generated == null) {
            return Optional.empty();
        }
        try {
            return generated.generate(path, client);
        } catch (RuntimeException e) {
            // A faulty generator must not take the TFTP server down; fall back to the file system.
            LOG.warn("TFTP generated content for '{}' failed", path, e);
            return Optional.empty();
        }
    }

    private BlockSource openFile(String path, boolean netascii) throws IOException, JailException {
        Path real = jail.resolveForRead(path);
        BasicFileAttributes attrs = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (netascii) {
            if (attrs.size() > Netascii.MAX_ENCODED_SOURCE) {
                throw new IOException("file too large for netascii mode, use octet");
            }
            return BlockSource.of(Netascii.encode(Files.readAllBytes(real)));
        }
        if (cache != null) {
            byte[] bytes = cache.get(real, attrs, stats);
            if (bytes != null) {
                return BlockSource.of(bytes);
            }
        }
        // NOFOLLOW_LINKS: the real path has no links; one swapped in after the check is refused.
        FileChannel channel = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        return BlockSource.of(channel, attrs.size());
    }

    private void handleWrite(ChannelHandlerContext ctx, InetSocketAddress client, TftpPacket.Request request,
            String path, Negotiated options) {
        Path target;
        Path temp;
        FileChannel out;
        try {
            target = jail.resolveForWrite(path);
            if (options.tsizeRequested()) {
                long free = Files.getFileStore(target.getParent()).getUsableSpace();
                if (options.clientTsize() > free) {
                    stats.error(ErrorKind.IO_ERROR);
                    LOG.warn("TFTP WRQ '{}' from {} refused: {} bytes announced, {} free", path, client,
                            options.clientTsize(), free);
                    refuse(ctx, client, TftpErrorCode.DISK_FULL, "Disk full or allocation exceeded");
                    return;
                }
            }
            temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".part");
            out = FileChannel.open(temp, StandardOpenOption.WRITE);
        } catch (JailException e) {
            denied(ctx, client, "WRQ", request.filename(), e.getMessage());
            return;
        } catch (IOException e) {
            stats.error(ErrorKind.IO_ERROR);
            LOG.warn("TFTP WRQ '{}' from {}: {}", path, client, e.toString());
            refuse(ctx, client, TftpErrorCode.ACCESS_VIOLATION, "Cannot create file");
            return;
        }
        List<Option> optionAck = options.hasOptionAck() ? options.optionAck(options.clientTsize()) : null;
        Netascii.Decoder decoder = request.mode() == TftpPacket.Mode.NETASCII ? new Netascii.Decoder() : null;
        WriteTransfer transfer = new WriteTransfer(client, path, stats, config.retries(), options.timeoutMillis(),
                target, temp, out, options.blockSize(), options.windowSize(), optionAck, decoder);
        openTransferPort(ctx, client, request, transfer, options.blockSize() + 5, () -> {
            try {
                out.close();
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // nothing was written
            }
        });
    }

    /**
     * Binds the transfer's own port now, or queues the request while {@code maxActiveTransfers}
     * run; the transfer starts in channelActive. {@code receiveSize} is one byte more than the
     * largest valid packet, so an oversized DATA is seen as such. Runs on the listener's loop.
     */
    private void openTransferPort(ChannelHandlerContext ctx, InetSocketAddress client, TftpPacket.Request request,
            Transfer transfer, int receiveSize, Runnable onBindFailure) {
        Active entry = new Active(request, transfer);
        active.put(client, entry);
        Runnable start = () -> bindTransfer(ctx, client, entry, receiveSize, onBindFailure);
        int limit = config.maxActiveTransfers();
        if (limit > 0 && running >= limit) {
            waiting.put(client, new Waiting(start, () -> {
                active.remove(client, entry);
                onBindFailure.run();
            }));
            LOG.debug("TFTP {} '{}' from {} waits: {} transfers running, {} waiting", request.write() ? "WRQ" : "RRQ",
                    request.filename(), client, running, waiting.size());
            return;
        }
        running++;
        start.run();
    }

    private void bindTransfer(ChannelHandlerContext ctx, InetSocketAddress client, Active entry, int receiveSize,
            Runnable onBindFailure) {
        Bootstrap b = new Bootstrap().group(transferLoops).channelFactory(this::newChannel)
                // One datagram per read: a transfer gets one ACK per window, and stopping after
                // it spares the read loop a system call that would find nothing.
                .option(ChannelOption.RCVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(receiveSize).maxMessagesPerRead(1))
                .handler(entry.transfer());
        InetSocketAddress local = new InetSocketAddress(config.bindAddress(), 0);
        b.bind(local).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                Channel c = f.channel();
                transfers.add(c);
                c.closeFuture().addListener(cf -> {
                    transfers.remove(c);
                    active.remove(client, entry);
                    onListenerLoop(ctx, this::transferEnded);
                });
            } else {
                active.remove(client, entry);
                stats.error(ErrorKind.IO_ERROR);
                LOG.warn("TFTP cannot open a transfer port for {}", client, f.cause());
                onBindFailure.run();
                refuse(ctx, client, TftpErrorCode.NOT_DEFINED, "Server busy");
                onListenerLoop(ctx, this::transferEnded);
            }
        });
    }

    private static void onListenerLoop(ChannelHandlerContext ctx, Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            // stopping: stop() clears the queue itself
        }
    }

    /** A running transfer ended (on the listener's loop): the oldest waiting request takes its place. */
    private void transferEnded() {
        running--;
        int limit = config.maxActiveTransfers();
        Iterator<Waiting> it = waiting.values().iterator();
        while (!stopping && it.hasNext() && (limit <= 0 || running < limit)) {
            Waiting next = it.next();
            it.remove();
            running++;
            next.start.run();
        }
    }
}
