package org.opendpm.transfer.internal;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.opendpm.agent.protocol.multicast.PacketCodec;
import org.opendpm.api.multicast.MulticastOptions;
import org.opendpm.api.multicast.MulticastSession;
import org.opendpm.image.ImageReader;
import org.opendpm.transfer.internal.multicast.MulticastSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The multicast sessions of this server (docs/multicast.md): group addresses from the configured pool, random session
 * ids, one {@link MulticastSender} per session, and the members' agent sessions found through the link's
 * {@link AgentSessions}, to which a reconnecting agent is handed back.
 */
final class MulticastSessions {

    private static final Logger LOG = LoggerFactory.getLogger(MulticastSessions.class);

    /**
     * @param pool the group range, e.g. {@code 239.255.26.0/24}
     * @param networkInterface the interface name to send on and join groups on; empty for the one carrying the
     *            Deploy-OS agents' links (see {@link #networkInterface})
     * @param maxRate bytes per second
     */
    record Settings(String pool, int port, int ttl, String networkInterface, long maxRate) {
    }

    private final AgentSessions sessions;
    private final Executor blocking;
    private final ScheduledExecutorService timer;
    private final SecureRandom random = new SecureRandom();
    /** Every session id this server gave out, so none is used twice. */
    private final Set<Long> issued = Collections.synchronizedSet(new HashSet<>());
    private final Set<MulticastRun> running = ConcurrentHashMap.newKeySet();
    private volatile Settings settings;
    private volatile GroupPool pool;

    MulticastSessions(AgentSessions sessions, Executor blocking) {
        this.sessions = sessions;
        this.blocking = blocking;
        this.timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("opendpm-multicast-timer",
                true));
    }

    /** Takes the configuration for the sessions opened from now on. */
    void configure(Settings s) {
        try {
            pool = new GroupPool(s.pool().strip(), System::nanoTime);
            settings = s;
        } catch (IllegalArgumentException e) {
            pool = null;
            LOG.error("Multicast sessions cannot open: {}", e.getMessage());
        }
    }

    MulticastSession open(Path imageFile, MulticastOptions options) throws IOException {
        Settings s = settings;
        GroupPool p = pool;
        if (p == null || s == null) {
            throw new IOException("multicast is not configured: see the group pool of " + AgentLinkService.PID);
        }
        ImageReader image = ImageReader.open(imageFile);
        InetAddress group = null;
        try {
            group = p.take();
            NetworkInterface iface = networkInterface(s.networkInterface(), group, sessions.open().stream()
                    .flatMap(a -> a.deployOsLinkAddress().stream()).toList());
            long id = newId();
            InetSocketAddress destination = new InetSocketAddress(group, s.port());
            InetSocketAddress bind = new InetSocketAddress(InetAddress.getByName(group instanceof Inet6Address
                    ? "::"
                    : "0.0.0.0"), s.port());
            // On the loopback interface the receivers can only be on this host, so they need the looped-back copy.
            MulticastSender sender = new MulticastSender(image, id, new MulticastSender.Settings(bind, destination,
                    s.ttl(), PacketCodec.DEFAULT_BLOCK_SIZE, s.maxRate(), iface, iface.isLoopback()));
            sender.start();
            MulticastRun run = new MulticastRun(this, id, image, sender, destination, PacketCodec.DEFAULT_BLOCK_SIZE,
                    options.dropBound());
            running.add(run);
            LOG.info("Multicast session {} of image {} opened on {} via {}", id, imageFile, destination, iface
                    .getName());
            return run;
        } catch (GroupPool.NoAddressException e) {
            image.close();
            throw new IOException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            image.close();
            if (group != null) {
                p.release(group);
            }
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            image.close();
            p.release(group);
            throw new IOException("interrupted while starting the multicast sender", e);
        }
    }

    private long newId() {
        while (true) {
            long id = random.nextLong() & Long.MAX_VALUE;
            if (id != 0 && issued.add(id)) {
                return id;
            }
        }
    }

    /**
     * The configured interface; else the one that carries the most connected Deploy-OS agents' links (the machines
     * waiting to restore are among them), as the first usable interface may be another segment's on a server with
     * several NICs; else, with no Deploy-OS connected over the group's family, the first usable one.
     */
    static NetworkInterface networkInterface(String name, InetAddress group, List<InetAddress> deployOsLinks)
            throws IOException {
        if (!name.isBlank()) {
            NetworkInterface i = NetworkInterface.getByName(name.strip());
            if (i == null) {
                throw new IOException("network interface '" + name + "' of " + AgentLinkService.PID
                        + " does not exist");
            }
            return i;
        }
        Map<NetworkInterface, Long> carrying = new HashMap<>();
        for (InetAddress a : deployOsLinks) {
            if ((a instanceof Inet6Address) == (group instanceof Inet6Address)) {
                NetworkInterface i = NetworkInterface.getByInetAddress(a);
                if (i != null && i.isUp()) {
                    carrying.merge(i, 1L, Long::sum);
                }
            }
        }
        Optional<NetworkInterface> busiest = carrying.entrySet().stream().max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey);
        if (busiest.isPresent()) {
            return busiest.get();
        }
        for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (usable(i) && i.inetAddresses()
                    .anyMatch(a -> (a instanceof Inet6Address) == (group instanceof Inet6Address))) {
                return i;
            }
        }
        throw new IOException("no network interface that is up supports multicast: set the multicast interface of "
                + AgentLinkService.PID);
    }

    private static boolean usable(NetworkInterface i) {
        try {
            return i.isUp() && !i.isLoopback() && i.supportsMulticast();
        } catch (SocketException e) {
            return false;
        }
    }

    /** A machine's agent session came up: members of running sessions on that machine rejoin. Event loop. */
    void authenticated(AgentSession session) {
        for (MulticastRun run : running) {
            run.reconnected(session);
        }
    }

    AgentSessions sessions() {
        return sessions;
    }

    Executor blocking() {
        return blocking;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    /** A session closed: its group address rests, then returns to the pool. */
    void closed(MulticastRun run) {
        if (running.remove(run)) {
            GroupPool p = pool;
            if (p != null) {
                p.release(run.group().getAddress());
            }
        }
    }

    /** The server stops: every session closes. */
    void closeAll() {
        for (MulticastRun run : List.copyOf(running)) {
            run.close();
        }
        timer.shutdownNow();
    }
}
