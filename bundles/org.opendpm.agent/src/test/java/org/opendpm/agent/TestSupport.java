package org.opendpm.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/** Waiting on conditions, capturing the agent's log lines, and an agent configured for a test server. */
final class TestSupport {

    private TestSupport() {
    }

    static void await(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    static AgentConfig.Builder config(TestServer server, Path state) {
        return AgentConfig.builder().server("127.0.0.1", server.port()).stateDir(state)
                .mac("52:54:00:12:34:56").uuid("4c4c4544-0042-3510-8052-b4c04f384b32").name("test-machine")
                .backoff(Duration.ofMillis(200), Duration.ofSeconds(1))
                // Never the real poweroff in a test, whatever it asks for.
                .powerCommands(Map.of("shutdown", List.of(List.of("false")), "reboot", List.of(List.of("false"))));
    }

    static Agent start(AgentConfig config) throws IOException {
        return start(config, DiskScanner.platform());
    }

    static Agent start(AgentConfig config, DiskScanner disks) throws IOException {
        Agent a = Agent.create(config, disks);
        a.start();
        return a;
    }

    /** Collects the agent's log records from creation until closed. */
    static final class LogCapture extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger("org.opendpm.agent");
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final Level previous;

        LogCapture() {
            previous = logger.getLevel();
            logger.setLevel(Level.FINE);
            setLevel(Level.ALL);
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            lines.add(r.getLevel() + " " + r.getMessage());
        }

        boolean contains(String part) {
            return lines.stream().anyMatch(l -> l.contains(part));
        }

        String all() {
            return lines.stream().collect(Collectors.joining("\n"));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
            logger.setLevel(previous);
        }
    }
}
