package org.opendpm.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one agent process was started with. Built by {@link Main} from the command line and by tests directly.
 *
 * @param serverHost the server's host, or null to find it by discovery (OSI-6)
 * @param serverFingerprint the expected SHA-256 fingerprint of the server certificate, or null to trust on first use
 * @param mac with {@code simulate > 0} the first simulated MAC; otherwise the MAC that overrides the system's
 * @param powerCommands per power action, the command lines tried in order until one succeeds
 * @param deployOsToken in a Deploy-OS: the one-time token the agent says hello with instead of a credential (it
 *            never registers); null otherwise
 * @param testDisks files that stand in for disks 1, 2, … of image requests (tests and benchmarks); empty otherwise
 * @param resumeInterval how often a Deploy-OS agent that lost its connection says hello with its resume key
 * @param resumeWindow for how long after the loss it does so before it backs off as usual
 * @param root the machine's root folder, which {@code prepareMaster} changes: {@code /}, another folder in tests
 */
record AgentConfig(String serverHost, int serverPort, Path stateDir, String serverFingerprint, String discoverAddress,
        int discoverPort, Duration discoverInterval, String mac, String uuid, String name, boolean deployOs,
        int heartbeatGrace, Duration backoffInitial, Duration backoffMax, Duration connectTimeout, boolean allowPower,
        Map<String, List<List<String>>> powerCommands, int simulate, boolean simulateExec, int simulateRate,
        Duration statusInterval, String deployOsToken, List<Path> testDisks, Duration resumeInterval,
        Duration resumeWindow, Path root) {

    static final int DEFAULT_PORT = 26509;
    static final int DEFAULT_DISCOVER_PORT = 26529;
    static final String DEFAULT_DISCOVER_ADDRESS = "255.255.255.255";

    AgentConfig {
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(root, "root");
        powerCommands = Map.copyOf(powerCommands);
        testDisks = List.copyOf(testDisks);
    }

    boolean discovery() {
        return serverHost == null;
    }

    static Builder builder() {
        return new Builder();
    }

    /** Defaults as documented in {@code --help}; tests change only what they need. */
    static final class Builder {
        private String serverHost;
        private int serverPort = DEFAULT_PORT;
        private Path stateDir = Platform.defaultStateDir();
        private String serverFingerprint;
        private String discoverAddress = DEFAULT_DISCOVER_ADDRESS;
        private int discoverPort = DEFAULT_DISCOVER_PORT;
        private Duration discoverInterval = Duration.ofSeconds(2);
        private String mac;
        private String uuid;
        private String name;
        private boolean deployOs;
        private int heartbeatGrace = 3;
        private Duration backoffInitial = Duration.ofSeconds(1);
        private Duration backoffMax = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private boolean allowPower;
        private Map<String, List<List<String>>> powerCommands = Platform.powerCommands();
        private int simulate;
        private boolean simulateExec;
        private int simulateRate = 10;
        private Duration statusInterval = Duration.ofSeconds(10);
        private String deployOsToken;
        private List<Path> testDisks = List.of();
        private Duration resumeInterval = Duration.ofSeconds(2);
        private Duration resumeWindow = Duration.ofMinutes(10);
        private Path root = Path.of("/");

        Builder server(String host, int port) {
            this.serverHost = host;
            this.serverPort = port;
            return this;
        }

        Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        Builder serverFingerprint(String fingerprint) {
            this.serverFingerprint = fingerprint;
            return this;
        }

        Builder discover(String address, int port) {
            this.discoverAddress = address;
            this.discoverPort = port;
            return this;
        }

        Builder discoverInterval(Duration interval) {
            this.discoverInterval = interval;
            return this;
        }

        Builder mac(String mac) {
            this.mac = mac;
            return this;
        }

        Builder uuid(String uuid) {
            this.uuid = uuid;
            return this;
        }

        Builder name(String name) {
            this.name = name;
            return this;
        }

        Builder deployOs(boolean deployOs) {
            this.deployOs = deployOs;
            return this;
        }

        Builder heartbeatGrace(int periods) {
            this.heartbeatGrace = periods;
            return this;
        }

        Builder backoff(Duration initial, Duration max) {
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        Builder allowPower(boolean allow) {
            this.allowPower = allow;
            return this;
        }

        Builder powerCommands(Map<String, List<List<String>>> commands) {
            this.powerCommands = commands;
            return this;
        }

        Builder simulate(int agents, boolean exec, int ratePerSecond) {
            this.simulate = agents;
            this.simulateExec = exec;
            this.simulateRate = ratePerSecond;
            return this;
        }

        Builder statusInterval(Duration interval) {
            this.statusInterval = interval;
            return this;
        }

        /** Deploy-OS mode: hello with this one-time token, no registration. */
        Builder deployOsToken(String token) {
            this.deployOsToken = token;
            this.deployOs = true;
            return this;
        }

        /** Files standing in for disks 1, 2, … of image requests. */
        Builder testDisks(List<Path> files) {
            this.testDisks = files;
            return this;
        }

        Builder resume(Duration interval, Duration window) {
            this.resumeInterval = interval;
            this.resumeWindow = window;
            return this;
        }

        /** The folder standing in for the machine's {@code /} in {@code prepareMaster}. */
        Builder root(Path folder) {
            this.root = folder;
            return this;
        }

        AgentConfig build() {
            return new AgentConfig(serverHost, serverPort, stateDir, serverFingerprint, discoverAddress, discoverPort,
                    discoverInterval, mac, uuid, name, deployOs, heartbeatGrace, backoffInitial, backoffMax,
                    connectTimeout, allowPower, powerCommands, simulate, simulateExec, simulateRate, statusInterval,
                    deployOsToken, testDisks, resumeInterval, resumeWindow, root);
        }
    }
}
