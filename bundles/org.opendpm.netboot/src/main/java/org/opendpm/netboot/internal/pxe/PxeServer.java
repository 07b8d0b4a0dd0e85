package org.opendpm.netboot.internal.pxe;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.opendpm.netboot.internal.pxe.PxeResponder.Service;
import org.opendpm.netboot.internal.pxe.PxeStats.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
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
 * One PXE service (proxyDHCP or boot server) on a Netty UDP socket. Packets are read on the event loop; the boot
 * decision, which may register the machine in the database, runs on a small pool with a bounded queue, so a flood
 * of DISCOVERs costs dropped packets (counted, the clients retransmit) rather than memory or a stuck event loop.
 */
public final class PxeServer {

    private static final Logger LOG = LoggerFactory.getLogger(PxeServer.class);
    private static final int DECISION_THREADS = 2;
    private static final int DECISION_QUEUE = 256;
    /** DHCP messages are at most 576 bytes unless the client says otherwise; room for jumbo ones. */
    private static final int MAX_PACKET = 1500;

    private final Service service;
    private final InetSocketAddress bind;
    private final InetSocketAddress broadcast;
    private final PxeResponder responder;
    private final PxeStats stats;

    private EventLoopGroup group; // guarded by "this"
    private Channel channel;
    private ThreadPoolExecutor decisions;

    /**
     * @param broadcast where answers go for clients without an address (255.255.255.255:68 on a real network; tests
     *            use loopback)
     */
    public PxeServer(Service service, InetSocketAddress bind, InetSocketAddress broadcast, PxeResponder responder,
            PxeStats stats) {
        this.service = service;
        this.bind = bind;
        this.broadcast = broadcast;
        this.responder = responder;
        this.stats = stats;
    }

    public Service service() {
        return service;
    }

    public synchronized void start() throws IOException {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        EventLoopGroup g = new NioEventLoopGroup(1, new DefaultThreadFactory("opendpm-pxe-" + service, true));
        // DHCP is IPv4 only; a dual-stack socket bound to 0.0.0.0 cannot send to 255.255.255.255.
        ChannelFuture f = new Bootstrap().group(g)
                .channelFactory(() -> new NioDatagramChannel(InternetProtocolFamily.IPv4))
                .option(ChannelOption.SO_BROADCAST, true)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_PACKET))
                .handler(new Handler()).bind(bind).awaitUninterruptibly();
        if (!f.isSuccess()) {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            throw new IOException("PXE " + service + " cannot bind " + bind, f.cause());
        }
        ThreadPoolExecutor pool = new ThreadPoolExecutor(DECISION_THREADS, DECISION_THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(DECISION_QUEUE), new DefaultThreadFactory("opendpm-pxe-decide", true));
        pool.allowCoreThreadTimeOut(true);
        group = g;
        channel = f.channel();
        decisions = pool;
        LOG.info("PXE {} listening on {}", service, channel.localAddress());
    }

    public synchronized void stop() {
        if (group == null) {
            return;
        }
        channel.close().awaitUninterruptibly();
        decisions.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        LOG.info("PXE {} on {} stopped", service, channel.localAddress());
        group = null;
        channel = null;
        decisions = null;
    }

    public synchronized InetSocketAddress localAddress() {
        if (channel == null) {
            throw new IllegalStateException("not started");
        }
        return (InetSocketAddress) channel.localAddress();
    }

    private synchronized ThreadPoolExecutor decisions() {
        return decisions;
    }

    /** Where the answer goes: the relay, the client's own address, or broadcast (RFC 2131 4.1, PXE 2.1). */
    InetSocketAddress destination(DhcpPacket in, InetSocketAddress sender) {
        if (service == Service.BOOT_SERVER) {
            return sender;
        }
        if (!isZero(in.giaddr())) {
            return new InetSocketAddress(address(in.giaddr()), 67);
        }
        if (!isZero(in.ciaddr()) && (in.flags() & DhcpPacket.FLAG_BROADCAST) == 0) {
            return new InetSocketAddress(address(in.ciaddr()), broadcast.getPort());
        }
        return broadcast;
    }

    private static boolean isZero(byte[] a) {
        return a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0;
    }

    private static InetAddress address(byte[] a) {
        try {
            return InetAddress.getByAddress(a);
        } catch (IOException e) {
            throw new IllegalStateException(e); // four bytes always make an address
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
            stats.received();
            InetSocketAddress sender = msg.sender();
            ByteBuffer data = ByteBuffer.allocate(msg.content().readableBytes());
            msg.content().readBytes(data);
            data.flip();
            PxeRequest request;
            try {
                request = PxeRequest.of(DhcpCodec.decode(data));
            } catch (MalformedDhcpException e) {
                stats.malformed(e.kind());
                LOG.info("PXE {}: malformed packet from {} dropped ({}): {}", service, sender, e.kind(),
                        e.getMessage());
                return;
            }
            if (!responder.wanted(service, request)) {
                return;
            }
            Channel ch = ctx.channel();
            try {
                decisions().execute(() -> decideAndAnswer(ch, request, sender));
            } catch (RejectedExecutionException e) {
                stats.outcome(Outcome.OVERLOADED);
                LOG.debug("PXE {}: overloaded, dropped a request from {}", service, request.client().mac());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP errors and the like surface here; the socket stays open for everyone else.
            LOG.debug("PXE {}: socket error {}", service, cause.toString());
        }
    }

    private void decideAndAnswer(Channel ch, PxeRequest request, InetSocketAddress sender) {
        Optional<DhcpPacket> answer;
        try {
            answer = responder.answer(service, request);
        } catch (RuntimeException e) {
            LOG.warn("PXE {}: no answer for {}: {}", service, request.client().mac(), e.toString(), e);
            return;
        }
        if (answer.isEmpty()) {
            LOG.info("PXE {}: no boot protocol supports {} (architecture {}, user class {})", service,
                    request.client().mac(), request.client().architecture(),
                    request.client().userClass().orElse("-"));
            return;
        }
        InetSocketAddress to = destination(request.packet(), sender);
        byte[] out = DhcpCodec.encode(answer.get());
        ch.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(out), to)).addListener(f -> {
            if (!f.isSuccess()) {
                LOG.warn("PXE {}: answer to {} at {} not sent: {}", service, request.client().mac(), to,
                        f.cause().toString());
            }
        });
        LOG.debug("PXE {}: answered {} with boot file '{}' to {}", service, request.client().mac(),
                answer.get().file(), to);
    }
}
