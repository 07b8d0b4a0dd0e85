package org.opendpm.transfer.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.agent.AgentInfo;
import org.opendpm.api.agent.AgentListener;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authenticated sessions by canonical MAC, the listeners told of them, and finding a machine's session for a
 * request. Kept apart from the link's service, which configures the listener and checks the requests' arguments.
 */
final class AgentSessions {

    // The link's category, so one logger setting covers the agent link.
    private static final Logger LOG = LoggerFactory.getLogger(AgentLinkService.class);

    private final InventoryService inventory;
    private final LinkStats stats;
    private final Executor blocking;
    private final Executor notifier;
    private final Map<String, AgentSession> sessions = new ConcurrentHashMap<>();
    private final List<AgentListener> listeners = new CopyOnWriteArrayList<>();

    AgentSessions(InventoryService inventory, LinkStats stats, Executor blocking, Executor notifier) {
        this.inventory = inventory;
        this.stats = stats;
        this.blocking = blocking;
        this.notifier = notifier;
    }

    void addListener(AgentListener listener) {
        listeners.add(listener);
    }

    void removeListener(AgentListener listener) {
        listeners.remove(listener);
    }

    /** The authenticated session of {@code mac}, or {@code null}. */
    AgentSession get(String mac) {
        return sessions.get(mac);
    }

    /** The authenticated sessions still open. */
    List<AgentSession> open() {
        return sessions.values().stream().filter(AgentSession::isOpen).toList();
    }

    /** Makes the session its MAC's, replacing an older one, and tells the listeners. */
    void authenticated(AgentSession session) {
        AgentSession old = sessions.put(session.mac(), session);
        if (old != null && old != session) {
            stats.add(LinkStats.Kind.REPLACED);
            LOG.info("Agent {}: replaced by a new connection from {} for MAC {}; connection closed", old.remote(),
                    session.remote(), session.mac());
            old.closeWith("replaced by a new connection");
        }
        LOG.info("Agent {}: MAC {} authenticated{}", session.remote(), session.mac(),
                session.machineId().map(id -> ", machine " + id).orElse(", not a managed machine yet"));
        AgentInfo info = session.info();
        notifyListeners(l -> l.connected(info), "connected");
    }

    /** Forgets an authenticated session that ended and tells the listeners. */
    void closed(AgentSession session, String reason, boolean wasAuthenticated) {
        if (!wasAuthenticated) {
            return;
        }
        sessions.remove(session.mac(), session);
        AgentInfo info = session.info();
        notifyListeners(l -> l.disconnected(info, reason), "disconnected");
    }

    private void notifyListeners(Consumer<AgentListener> call, String what) {
        try {
            notifier.execute(() -> {
                for (AgentListener l : listeners) {
                    try {
                        call.accept(l);
                    } catch (RuntimeException e) {
                        LOG.warn("Agent listener {} failed on {}: {}", l.getClass().getName(), what, e.toString(), e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("Agent listeners not told of {}: the link is stopping", what);
        }
    }

    /** The open session of one of the machine's MACs, the primary first; binds it to the machine. */
    Optional<AgentSession> session(Machine m) {
        List<String> macs = new ArrayList<>(m.macs());
        macs.remove(m.primaryMac());
        macs.add(0, m.primaryMac());
        for (String mac : macs) {
            AgentSession s = sessions.get(mac);
            if (s != null && s.isOpen()) {
                s.machineId(Optional.of(m.id()));
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** The machine's open session; empty when it has none or does not exist. */
    Optional<AgentSession> session(long machineId) {
        try {
            return session(inventory.machine(machineId));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /** Finds the machine's session off the caller's thread (a database read). */
    private CompletableFuture<AgentSession> sessionAsync(long machineId) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                Machine m = inventory.machine(machineId);
                return session(m).orElseThrow(() -> new AgentUnavailableException("Machine " + m.name() + " (id "
                        + machineId + ") has no connected agent"));
            }, blocking);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new AgentUnavailableException("The agent link is stopping"));
        }
    }

    /**
     * Runs a request on the machine's session once it is found, and completes with the original exception rather than
     * a {@link CompletionException} around it. Cancelling the returned future cancels the request, which tells the
     * agent to stop it.
     */
    <T> CompletableFuture<T> onSession(long machineId, Function<AgentSession, CompletableFuture<T>> request) {
        CompletableFuture<T> out = new CompletableFuture<>();
        AtomicReference<CompletableFuture<T>> inner = new AtomicReference<>();
        sessionAsync(machineId).whenComplete((s, t) -> {
            if (t != null) {
                out.completeExceptionally(cause(t));
                return;
            }
            CompletableFuture<T> f;
            try {
                f = request.apply(s);
            } catch (RuntimeException e) {
                out.completeExceptionally(e);
                return;
            }
            inner.set(f);
            if (out.isCancelled()) {
                f.cancel(true);
                return;
            }
            f.whenComplete((v, x) -> {
                if (x == null) {
                    out.complete(v);
                } else {
                    out.completeExceptionally(cause(x));
                }
            });
        });
        out.whenComplete((v, t) -> {
            CompletableFuture<T> f = inner.get();
            if (out.isCancelled() && f != null) {
                f.cancel(true);
            }
        });
        return out;
    }

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
