package org.opendpm.agent.protocol.multicast;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Counts dropped datagrams by reason and lets at most one log line per reason through every 10 s, naming the
 * reason, the source and how many of that reason were dropped without a line since: anyone on the network can send
 * us datagrams, and a log must not be theirs to fill. Each end passes its own logger (SLF4J on the server,
 * java.util.logging in the agent) as the sink. Thread-safe.
 */
public final class BadPacketLog {

    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String context;
    private final Consumer<String> sink;
    private final LongSupplier nanoClock;
    private final Map<BadPacketException.Reason, Counter> counters = new EnumMap<>(BadPacketException.Reason.class);

    private static final class Counter {
        long total;
        long unlogged;
        long lastLine;
        boolean logged;
    }

    /**
     * @param context what the lines are about, e.g. "multicast session 81985529216486895"
     * @param sink where a line goes
     * @param nanoClock {@code System::nanoTime}, or a test's clock
     */
    public BadPacketLog(String context, Consumer<String> sink, LongSupplier nanoClock) {
        this.context = context;
        this.sink = sink;
        this.nanoClock = nanoClock;
        for (BadPacketException.Reason r : BadPacketException.Reason.values()) {
            counters.put(r, new Counter());
        }
    }

    /** Counts a dropped datagram from {@code source} and logs it unless its reason was logged in the last 10 s. */
    public void dropped(BadPacketException e, Object source) {
        String line;
        synchronized (this) {
            Counter c = counters.get(e.reason());
            c.total++;
            long now = nanoClock.getAsLong();
            if (c.logged && now - c.lastLine < INTERVAL_NANOS) {
                c.unlogged++;
                return;
            }
            line = context + ": dropped a datagram from " + source + " (" + e.reason().key() + "): " + e.getMessage()
                    + (c.unlogged > 0 ? "; " + c.unlogged + " more of this reason since the last such line" : "");
            c.logged = true;
            c.lastLine = now;
            c.unlogged = 0;
        }
        sink.accept(line);
    }

    /** How many datagrams were dropped for {@code reason} in all. */
    public synchronized long count(BadPacketException.Reason reason) {
        return counters.get(reason).total;
    }
}
