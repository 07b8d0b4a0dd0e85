package org.opendpm.agent;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/** What all agents of one process share: settings, state folder, TLS set-up, timer and worker threads, counters. */
final class AgentContext implements AutoCloseable {

    /** Small stacks: a simulation runs thousands of these threads. */
    static final long THREAD_STACK = 256 * 1024;

    final AgentConfig config;
    final StateFolder state;
    final SSLSocketFactory sslFactory;
    final ScheduledExecutorService timer;
    final ExecutorService workers;
    final CommandRunner commands = new CommandRunner();
    final PowerControl power;
    final DiskScanner disks;
    final ImageDisks imageDisks;
    final PackageInstaller packages;
    final Stats stats = new Stats();
    final String agentVersion;
    /** Drawn once per start of this process and sent in every hello: the server sees a restart of the agent. */
    final String startId = newStartId();

    AgentContext(AgentConfig config) throws IOException {
        this(config, config.testDisks().isEmpty()
                ? DiskScanner.platform()
                : DiskScanner.testDisks(config.testDisks()));
    }

    AgentContext(AgentConfig config, DiskScanner disks) throws IOException {
        this.config = config;
        this.disks = disks;
        this.imageDisks = new ImageDisks(config, disks);
        this.state = new StateFolder(config.stateDir());
        this.packages = new PackageInstaller(config.stateDir(), config.root());
        if (config.serverFingerprint() != null) {
            state.pin(StateFolder.normalizeFingerprint(config.serverFingerprint()), "--server-fingerprint");
        }
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[]{ new PinningTrustManager(state) }, null);
            this.sslFactory = ssl.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS is not available in this Java runtime: " + e.getMessage(), e);
        }
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(config.simulate() > 0 ? 4 : 1,
                threads("agent-timer"));
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        this.workers = Executors.newCachedThreadPool(threads("agent-worker"));
        this.power = new PowerControl(config.allowPower() && config.simulate() == 0, config.powerCommands());
        this.agentVersion = readVersion();
    }

    private static String newStartId() {
        byte[] b = new byte[16];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(null, r, prefix + "-" + n.incrementAndGet(), THREAD_STACK);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * The folder whose files {@code readStream} may read besides block devices: the state folder, except in a
     * Deploy-OS, whose state folder is a throwaway one in its RAM disk.
     */
    java.nio.file.Path streamableFolder() {
        return config.deployOsToken() != null ? null : config.stateDir();
    }

    private static String readVersion() {
        Properties p = new Properties();
        try (InputStream in = AgentContext.class.getResourceAsStream("agent.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // reported as unknown below
        }
        String v = p.getProperty("version");
        return v == null || v.startsWith("${") ? "unknown" : v;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        workers.shutdownNow();
    }
}
