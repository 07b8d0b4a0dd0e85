package org.opendpm.transfer.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;

/**
 * Sits on the listening channel and sees every accepted connection before it is registered with a worker loop, so
 * one over the limits (per source address, and in all) is closed at once, before TLS or any buffer: a reset,
 * counted, and logged at most once a minute per address. Runs on the single acceptor thread, so its maps need no
 * locking.
 */
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimiter.class);
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
    private static final int MAX_TRACKED = 100_000;

    /** The limits in force; replaced as a whole when the configuration changes. */
    record Limits(int perAddressPerSecond, int totalPerSecond) {
    }

    private final LinkStats stats;
    private volatile Limits limits;
    private final Map<InetAddress, TokenBucket> perAddress = new HashMap<>();
    private final Map<InetAddress, Long> lastLogged = new HashMap<>();
    private TokenBucket total;
    private long lastSweep = System.nanoTime();

    ConnectionLimiter(Limits limits, LinkStats stats) {
        this.limits = limits;
        this.stats = stats;
    }

    void setLimits(Limits limits) {
        this.limits = limits;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Channel child)) {
            ctx.fireChannelRead(msg);
            return;
        }
        long now = System.nanoTime();
        Limits l = limits;
        InetAddress address = address(child.remoteAddress());
        sweep(now);
        if (total == null) {
            total = new TokenBucket(l.totalPerSecond(), now);
        }
        TokenBucket mine = perAddress.computeIfAbsent(address, a -> new TokenBucket(l.perAddressPerSecond(), now));
        // The address's own bucket first: one noisy source must not use up the shared budget.
        if (!mine.tryTake(l.perAddressPerSecond(), now)) {
            refuse(child, address, now, LinkStats.Kind.RATE_LIMITED_ADDRESS, "more than " + l.perAddressPerSecond()
                    + " connections per second from this address (maxConnectionsPerSecondPerAddress)");
            return;
        }
        if (!total.tryTake(l.totalPerSecond(), now)) {
            refuse(child, address, now, LinkStats.Kind.RATE_LIMITED_TOTAL, "more than " + l.totalPerSecond()
                    + " connections per second in all (maxConnectionsPerSecond)");
            return;
        }
        stats.add(LinkStats.Kind.CONNECTIONS_ACCEPTED);
        ctx.fireChannelRead(msg);
    }

    private void refuse(Channel child, InetAddress address, long now, LinkStats.Kind kind, String why) {
        stats.add(kind);
        try {
            // Linger 0 sends a reset: the refused connection leaves no TIME_WAIT socket behind on the server.
            child.config().setOption(ChannelOption.SO_LINGER, 0);
        } catch (RuntimeException e) {
            // closing without it is still correct
        }
        child.unsafe().closeForcibly();
        Long logged = lastLogged.get(address);
        if (logged == null || now - logged >= MINUTE) {
            lastLogged.put(address, now);
            LOG.warn("Agent link: connections from {} closed before TLS: {} (logged once a minute per address)",
                    address == null ? "?" : address.getHostAddress(), why);
        }
    }

    private void sweep(long now) {
        if (now - lastSweep < MINUTE && perAddress.size() < MAX_TRACKED) {
            return;
        }
        lastSweep = now;
        perAddress.values().removeIf(b -> b.idleSince(now, TimeUnit.SECONDS.toNanos(10)));
        lastLogged.values().removeIf(t -> now - t >= MINUTE);
        if (perAddress.size() >= MAX_TRACKED) {
            // Only under a flood from very many addresses: forgetting buckets errs on the side of accepting.
            perAddress.clear();
        }
    }

    private static InetAddress address(SocketAddress a) {
        return a instanceof InetSocketAddress isa ? isa.getAddress() : null;
    }
}
