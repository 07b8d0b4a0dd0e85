package org.opendpm.transfer.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLException;

import org.opendpm.agent.protocol.FrameCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The listening side of the agent link: one acceptor thread (which also answers discovery datagrams) and a few
 * worker event loops shared by all connections, so the number of agents costs no threads. Child pipeline:
 * TLS, idle detection (heartbeats), frame decoder, {@link AgentSession}; {@link ConnectionLimiter} on the listening
 * channel closes connections over the rate limits before any of that exists.
 */
final class LinkServer {

    private static final Logger LOG = LoggerFactory.getLogger(LinkServer.class);
    static final String DISCOVER = "OPENDPM-DISCOVER 1";
    /** Answers per second to one address, so the responder cannot be used to flood a third party. */
    private static final int DISCOVERY_ANSWERS_PER_SECOND = 10;

    /** What the server is started with; a change of any of it means a restart. */
    record Settings(InetAddress address, int port, int maxFrameBytes, int heartbeatSeconds, int helloTimeoutSeconds,
            boolean discovery, int discoveryPort, String advertisedHost, int workerThreads) {
    }

    private final Settings settings;
    private final ServerCertificate certificate;
    private final ConnectionLimiter limiter;
    private final AgentSession.Host host;
    private final LinkStats stats;
    private final Set<Channel> children = ConcurrentHashMap.newKeySet();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel listener;
    private Channel discovery;

    LinkServer(Settings settings, ServerCertificate certificate, ConnectionLimiter limiter, AgentSession.Host host,
            LinkStats stats) {
        this.settings = settings;
        this.certificate = certificate;
        this.limiter = limiter;
        this.host = host;
        this.stats = stats;
    }

    Settings settings() {
        return settings;
    }

    /** Binds the listener (and the discovery responder); on failure everything started is released again. */
    void start() throws SSLException, InterruptedException {
        SslProvider provider = tlsProvider();
        SslContext ssl = SslContextBuilder.forServer(certificate.key(), certificate.certificate())
                .sslProvider(provider).protocols("TLSv1.3", "TLSv1.2").build();
        boss = new NioEventLoopGroup(1, new DefaultThreadFactory("opendpm-agent-accept", true));
        workers = new NioEventLoopGroup(settings.workerThreads(), new DefaultThreadFactory("opendpm-agent-io", true));
        try {
            ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .handler(limiter)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    // Two file chunks may be on their way; beyond that the sender waits for writability.
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                            new WriteBufferWaterMark(FrameCodec.MAX_CHUNK, 2 * FrameCodec.MAX_CHUNK + 64 * 1024))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            children.add(ch);
                            ch.closeFuture().addListener(f -> children.remove(ch));
                            ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc()))
                                    .addLast("idle", new IdleStateHandler(3 * settings.heartbeatSeconds(), 0, 0,
                                            TimeUnit.SECONDS))
                                    .addLast("frames", new FrameDecoder(settings.maxFrameBytes(),
                                            FrameCodec.MAX_BEFORE_HELLO))
                                    .addLast("session", new AgentSession(host, settings.heartbeatSeconds(),
                                            settings.helloTimeoutSeconds()));
                        }
                    });
            listener = b.bind(settings.address(), settings.port()).sync().channel();
            if (settings.discovery() && settings.discoveryPort() > 0) {
                discovery = new Bootstrap().group(boss).channel(NioDatagramChannel.class)
                        .option(ChannelOption.SO_BROADCAST, true)
                        .handler(new DiscoveryResponder())
                        .bind(settings.address(), settings.discoveryPort()).sync().channel();
            }
        } catch (InterruptedException | RuntimeException e) {
            stop();
            throw e;
        }
        LOG.info("Agent link listening on {} (TLS through {}, certificate SHA-256 {}){}",
                describe(listener.localAddress()), provider == SslProvider.OPENSSL ? "OpenSSL" : "the JDK",
                certificate.fingerprint(),
                discovery == null ? "" : ", discovery on UDP " + describe(discovery.localAddress()));
    }

    /**
     * OpenSSL (netty-tcnative's BoringSSL) where its native library loads, else the JDK: every byte of a backup or
     * restore crosses TLS, and OpenSSL spends less of the server's CPU on it than the JDK's engine (bench/RESULTS.md,
     * "Disk image": about a third less server CPU for a backup).
     */
    private static SslProvider tlsProvider() {
        if (OpenSsl.isAvailable()) {
            return SslProvider.OPENSSL;
        }
        LOG.info("Agent link TLS through the JDK: OpenSSL is not available ({})",
                OpenSsl.unavailabilityCause() == null ? "no reason given" : OpenSsl.unavailabilityCause().toString());
        return SslProvider.JDK;
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    Optional<InetSocketAddress> discoveryAddress() {
        return Optional.ofNullable(discovery).map(c -> (InetSocketAddress) c.localAddress());
    }

    /** Closes every connection (their sessions end with "the server is stopping") and releases all threads. */
    void stop() {
        if (listener != null) {
            listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (discovery != null) {
            discovery.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (Channel ch : children) {
            AgentSession s = ch.pipeline().get(AgentSession.class);
            if (s != null) {
                s.closeWith("the server is stopping");
            } else {
                ch.close();
            }
        }
        for (Channel ch : children) {
            ch.closeFuture().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        if (boss != null) {
            boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (workers != null) {
            workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Answers {@code OPENDPM-DISCOVER 1} with {@code OPENDPM-SERVER 1 <host> <port> <fingerprint>} (OSI-6); anything
     * else is counted and ignored. Runs on the acceptor thread only.
     */
    private final class DiscoveryResponder extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Map<InetAddress, TokenBucket> buckets = new HashMap<>();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ByteBuf content = packet.content();
            String text = content.readableBytes() > 64
                    ? ""
                    : content.toString(StandardCharsets.US_ASCII).strip();
            InetAddress from = packet.sender().getAddress();
            long now = System.nanoTime();
            if (buckets.size() > 10_000) {
                buckets.clear();
            }
            if (!DISCOVER.equals(text) || !buckets.computeIfAbsent(from, a -> new TokenBucket(
                    DISCOVERY_ANSWERS_PER_SECOND, now)).tryTake(DISCOVERY_ANSWERS_PER_SECOND, now)) {
                stats.add(LinkStats.Kind.DISCOVERY_IGNORED);
                return;
            }
            String answer = "OPENDPM-SERVER 1 " + advertisedHost(packet) + " " + localAddress().getPort() + " "
                    + certificate.fingerprint();
            ctx.writeAndFlush(new DatagramPacket(Unpooled.copiedBuffer(answer, StandardCharsets.US_ASCII),
                    packet.sender()));
            stats.add(LinkStats.Kind.DISCOVERY_ANSWERED);
        }

        /**
         * The configured host, else the address the responder is bound to (the one the datagram came in on), else
         * the host's own address: a wildcard socket cannot tell which of the host's addresses was asked.
         */
        private String advertisedHost(DatagramPacket packet) {
            if (!settings.advertisedHost().isBlank()) {
                return settings.advertisedHost().strip();
            }
            InetAddress bound = packet.recipient() == null ? null : packet.recipient().getAddress();
            if (bound != null && !bound.isAnyLocalAddress()) {
                return bound.getHostAddress();
            }
            try {
                return InetAddress.getLocalHost().getHostAddress();
            } catch (UnknownHostException e) {
                return "127.0.0.1";
            }
        }
    }

    /** An address as log lines give it: host address and port. */
    static String describe(SocketAddress a) {
        if (a instanceof InetSocketAddress isa && isa.getAddress() != null) {
            return isa.getAddress().getHostAddress() + ":" + isa.getPort();
        }
        return String.valueOf(a);
    }
}
