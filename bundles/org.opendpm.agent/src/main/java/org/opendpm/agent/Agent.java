package org.opendpm.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One agent process: the machine's own agent, or with {@code --simulate N} N agents with derived identities, each
 * with its own connection and credential, for load tests of the server.
 */
final class Agent implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Agent.class.getName());
    static final String DEFAULT_SIMULATED_MAC = "02:00:00:00:00:01";
    private static final long MAC_MASK = 0xffff_ffff_ffffL;

    private final AgentContext ctx;
    private final List<AgentRunner> runners;
    private volatile Thread launcher;

    private Agent(AgentContext ctx, List<AgentRunner> runners) {
        this.ctx = ctx;
        this.runners = runners;
    }

    static Agent create(AgentConfig config) throws IOException {
        return create(config, config.testDisks().isEmpty()
                ? DiskScanner.platform()
                : DiskScanner.testDisks(config.testDisks()));
    }

    /** With the disk scanner given, for tests. */
    static Agent create(AgentConfig config, DiskScanner disks) throws IOException {
        AgentContext ctx = new AgentContext(config, disks);
        try {
            List<AgentRunner> runners = new ArrayList<>();
            if (config.simulate() > 0) {
                for (Identity id : simulatedIdentities(config)) {
                    runners.add(new AgentRunner(ctx, id, ctx.state.credentialFile(id.mac()), true,
                            !runners.isEmpty()));
                }
            } else {
                Identity id = SystemIdentity.read(config);
                runners.add(new AgentRunner(ctx, id, ctx.state.credentialFile(null), false, false));
            }
            return new Agent(ctx, List.copyOf(runners));
        } catch (IOException | RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /** 02:00:00:00:00:01, ...:02, ... (or counting up from {@code --mac}): locally administered, never a real NIC. */
    static List<Identity> simulatedIdentities(AgentConfig config) {
        long base = Identity.macValue(Identity.normalizeMac(config.mac() != null
                ? config.mac()
                : DEFAULT_SIMULATED_MAC));
        List<Identity> ids = new ArrayList<>(config.simulate());
        for (int i = 0; i < config.simulate(); i++) {
            String mac = Identity.formatMac((base + i) & MAC_MASK);
            String name = (config.name() != null ? config.name() : "sim") + "-" + mac.replace(":", "");
            String uuid = UUID.nameUUIDFromBytes(("opendpm-simulated-agent " + mac).getBytes(StandardCharsets.UTF_8))
                    .toString();
            ids.add(new Identity(mac, List.of(mac), uuid, name, Platform.osDescription(), config.deployOs()));
        }
        return ids;
    }

    AgentContext context() {
        return ctx;
    }

    List<AgentRunner> runners() {
        return runners;
    }

    Stats stats() {
        return ctx.stats;
    }

    void start() {
        AgentConfig c = ctx.config;
        if (c.simulate() == 0) {
            runners.get(0).start();
            return;
        }
        LOG.info("Simulating " + runners.size() + " agents (" + runners.get(0).identity().mac() + " to "
                + runners.get(runners.size() - 1).identity().mac() + "), starting " + c.simulateRate()
                + " per second; commands are " + (c.simulateExec() ? "executed" : "answered as simulated"));
        // Started at a steady rate: the server refuses connection storms from one address.
        Thread t = new Thread(null, () -> {
            long pause = c.simulateRate() > 0 ? 1_000_000_000L / c.simulateRate() : 0;
            long next = System.nanoTime();
            for (AgentRunner r : runners) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                r.start();
                next += pause;
            }
        }, "agent-launcher", AgentContext.THREAD_STACK);
        t.setDaemon(true);
        launcher = t;
        t.start();
        long every = c.statusInterval().toMillis();
        ctx.timer.scheduleAtFixedRate(() -> LOG.info(statusLine()), every, every, TimeUnit.MILLISECONDS);
    }

    String statusLine() {
        Stats s = ctx.stats;
        return String.format("simulate: %d/%d connected, %d commands answered, %d files received, "
                + "%d registrations, %d failed connection attempts", s.connected.get(), runners.size(),
                s.commandsAnswered.get(), s.filesReceived.get(), s.registrations.get(), s.connectFailures.get());
    }

    /** Blocks until every agent thread has ended (they end only through {@link #close()}). */
    void awaitTermination() throws InterruptedException {
        Thread l = launcher;
        if (l != null) {
            l.join();
        }
        for (AgentRunner r : runners) {
            while (r.alive()) {
                r.join(Duration.ofSeconds(60));
            }
        }
    }

    @Override
    public void close() {
        Thread l = launcher;
        if (l != null) {
            l.interrupt();
        }
        runners.forEach(AgentRunner::stop);
        for (AgentRunner r : runners) {
            try {
                r.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        ctx.close();
    }
}
