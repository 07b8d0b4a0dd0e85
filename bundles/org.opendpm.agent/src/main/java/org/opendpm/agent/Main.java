package org.opendpm.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Logger;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code java -jar opendpm-agent.jar --server HOST[:PORT]}. */
@Command(name = "opendpm-agent", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, usageHelpWidth = 110,
        description = {
                "The OpenDPM agent: keeps a TLS connection to the OpenDPM server and carries out its requests "
                        + "(commands, power actions, file transfers).",
                "Without --server the server is found by UDP discovery." })
public final class Main implements Callable<Integer> {

    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    @Spec
    CommandSpec spec;

    @Option(names = "--server", paramLabel = "HOST[:PORT]",
            description = "The server to connect to; port " + AgentConfig.DEFAULT_PORT
                    + " when none is given. [host]:port for IPv6.")
    String server;

    @Option(names = "--state", paramLabel = "DIR",
            description = "State folder for the credential and the pinned server fingerprint (default: "
                    + "~/.opendpm-agent, on Windows %%PROGRAMDATA%%\\OpenDPM\\agent).")
    Path state;

    @Option(names = "--server-fingerprint", paramLabel = "HEX",
            description = "SHA-256 fingerprint of the server certificate (64 hex digits; colons allowed). Without it "
                    + "the first server contacted is trusted and pinned.")
    String serverFingerprint;

    @Option(names = "--discover", paramLabel = "ADDR", defaultValue = AgentConfig.DEFAULT_DISCOVER_ADDRESS,
            description = "Where discovery requests go without --server (default: ${DEFAULT-VALUE}).")
    String discover;

    @Option(names = "--discover-port", paramLabel = "PORT", defaultValue = "26529",
            description = "UDP port of the servers' discovery (default: ${DEFAULT-VALUE}).")
    int discoverPort;

    @Option(names = "--mac", paramLabel = "MAC",
            description = "MAC to report instead of the first network interface's (sorted by name). With "
                    + "--simulate: the first simulated MAC (default " + Agent.DEFAULT_SIMULATED_MAC + ").")
    String mac;

    @Option(names = "--uuid", paramLabel = "UUID", description = "Machine UUID to report instead of the SMBIOS one.")
    String uuid;

    @Option(names = "--name", paramLabel = "NAME", description = "Host name to report instead of the system's.")
    String name;

    @Option(names = "--deploy-os", description = "Run inside a Deploy-OS: say hello with the one-time token the "
            + "server put on the kernel command line instead of registering. --server, --server-fingerprint, --token "
            + "and --mac default to opendpm.server=, opendpm.fingerprint=, opendpm.token= and opendpm.mac= of "
            + "/proc/cmdline; no state folder is kept.")
    boolean deployOs;

    @Option(names = "--token", paramLabel = "TOKEN", description = "With --deploy-os: the one-time token.")
    String token;

    @Option(names = "--test-disk", paramLabel = "FILE",
            description = "For tests and benchmarks: a file that stands in for a disk in image and disk-area "
                    + "requests (repeatable; disks 1, 2, … in the order given, 512-byte sectors). Without "
                    + "--deploy-os or --test-disk the agent refuses image requests.")
    java.util.List<Path> testDisks = new java.util.ArrayList<>();

    @Option(names = "--root", paramLabel = "DIR", defaultValue = "/",
            description = "The root folder the master preparation (System_LinuxMasterSetup) changes: /etc/machine-id, "
                    + "SSH host keys, network settings (default: ${DEFAULT-VALUE}; another folder for tests). Never "
                    + "followed out of by a symbolic link.")
    Path root;

    @Option(names = "--kernel-cmdline", paramLabel = "FILE", defaultValue = "/proc/cmdline", hidden = true,
            description = "Where --deploy-os reads the kernel command line (default: ${DEFAULT-VALUE}).")
    Path kernelCmdline;

    @Option(names = "--heartbeat-grace", paramLabel = "N", defaultValue = "3",
            description = "Heartbeat periods without a frame from the server before reconnecting "
                    + "(default: ${DEFAULT-VALUE}).")
    int heartbeatGrace;

    @Option(names = "--allow-power",
            description = "Carry out power requests (shutdown, reboot). Without it they are acknowledged and only "
                    + "logged, so that an agent tried out on a workstation never powers it off.")
    boolean allowPower;

    @Option(names = "--simulate", paramLabel = "N", defaultValue = "0",
            description = "Load test: run N agents in this process, each with its own TLS connection, MAC "
                    + "(counting up from --mac) and credential file in the state folder. Commands are NOT run: "
                    + "they are answered with exit code 0 and the output \"simulated\"; files are checked but "
                    + "not written; deletions and power actions are acknowledged only.")
    int simulate;

    @Option(names = "--simulate-exec",
            description = "With --simulate: run commands as real processes and write and delete files for real.")
    boolean simulateExec;

    @Option(names = "--simulate-rate", paramLabel = "N", defaultValue = "10",
            description = "With --simulate: agents started per second (default: ${DEFAULT-VALUE}); the server "
                    + "limits connections per second from one address.")
    int simulateRate;

    @Option(names = { "-v", "--verbose" }, description = "Log debug details.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(commandLine(new Main()).execute(args));
    }

    /**
     * The parser: an option's value may begin with "-" (a base64url Deploy-OS token does one time in 64), so a value
     * that looks like an option is still taken as the value.
     */
    static CommandLine commandLine(Main main) {
        return new CommandLine(main).setAllowOptionsAsOptionParameters(true);
    }

    @Override
    public Integer call() throws Exception {
        AgentConfig config = toConfig();
        LogSetup.configure(verbose);
        Agent agent;
        try {
            agent = Agent.create(config);
        } catch (IOException | IllegalArgumentException e) {
            LOG.severe("Cannot start: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "agent-shutdown"));
        LOG.info("OpenDPM agent " + agent.context().agentVersion + " started; state folder " + config.stateDir()
                + (config.discovery()
                        ? "; discovering the server via " + config.discoverAddress() + ":"
                                + config.discoverPort()
                        : "; server " + config.serverHost() + ":" + config.serverPort()));
        agent.start();
        agent.awaitTermination();
        return 0;
    }

    /** The checked settings; wrong values end with a usage message and exit code 2. */
    AgentConfig toConfig() {
        AgentConfig.Builder b = AgentConfig.builder();
        if (deployOs) {
            deployOsDefaults(b);
        } else if (token != null) {
            throw new ParameterException(spec.commandLine(), "--token needs --deploy-os");
        }
        if (server != null) {
            try {
                HostPort hp = HostPort.parse(server, AgentConfig.DEFAULT_PORT);
                b.server(hp.host(), hp.port());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--server: " + e.getMessage());
            }
        }
        if (state != null) {
            b.stateDir(state.toAbsolutePath());
        }
        try {
            if (serverFingerprint != null) {
                b.serverFingerprint(StateFolder.normalizeFingerprint(serverFingerprint));
            }
            if (mac != null) {
                b.mac(Identity.normalizeMac(mac));
            }
            if (uuid != null) {
                b.uuid(Identity.normalizeUuid(uuid));
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (name != null && name.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--name must not be empty");
        }
        if (discoverPort < 1 || discoverPort > 65535) {
            throw new ParameterException(spec.commandLine(), "--discover-port must be between 1 and 65535");
        }
        if (heartbeatGrace < 2) {
            throw new ParameterException(spec.commandLine(), "--heartbeat-grace must be at least 2");
        }
        if (simulate < 0) {
            throw new ParameterException(spec.commandLine(), "--simulate must not be negative");
        }
        if (simulateExec && simulate == 0) {
            throw new ParameterException(spec.commandLine(), "--simulate-exec needs --simulate N");
        }
        if (simulateRate < 1) {
            throw new ParameterException(spec.commandLine(), "--simulate-rate must be at least 1");
        }
        for (Path disk : testDisks) {
            if (!Files.isRegularFile(disk)) {
                throw new ParameterException(spec.commandLine(), "--test-disk " + disk + " is not a regular file");
            }
        }
        b.testDisks(testDisks.stream().map(Path::toAbsolutePath).toList());
        if (!Files.isDirectory(root)) {
            throw new ParameterException(spec.commandLine(), "--root " + root + " is not a folder");
        }
        b.root(root.toAbsolutePath());
        return b.name(name).deployOs(deployOs).discover(discover, discoverPort).heartbeatGrace(heartbeatGrace)
                .allowPower(allowPower).simulate(simulate, simulateExec, simulateRate).build();
    }

    /**
     * Fills what a Deploy-OS agent needs from the kernel command line where the arguments leave it open, and refuses
     * to start without a server, its fingerprint and a token: a RAM-disk agent has nothing pinned from before.
     */
    private void deployOsDefaults(AgentConfig.Builder b) {
        Map<String, String> cmdline;
        try {
            cmdline = KernelCommandLine.read(kernelCmdline);
        } catch (IOException e) {
            cmdline = Map.of();
            LOG.fine("No kernel command line at " + kernelCmdline + ": " + e);
        }
        server = server != null ? server : cmdline.get("opendpm.server");
        serverFingerprint = serverFingerprint != null ? serverFingerprint : cmdline.get("opendpm.fingerprint");
        token = token != null ? token : cmdline.get("opendpm.token");
        mac = mac != null ? mac : cmdline.get("opendpm.mac");
        for (String[] required : new String[][]{ { server, "--server", "opendpm.server" },
                { serverFingerprint, "--server-fingerprint", "opendpm.fingerprint" },
                { token, "--token", "opendpm.token" } }) {
            if (required[0] == null || required[0].isBlank()) {
                throw new ParameterException(spec.commandLine(), "--deploy-os needs " + required[1] + " or "
                        + required[2] + "= on the kernel command line (" + kernelCmdline + ")");
            }
        }
        b.deployOsToken(token);
        if (state == null) {
            try {
                // The Deploy-OS runs from a RAM disk: a throwaway folder, nothing is kept across boots.
                state = Files.createTempDirectory("opendpm-agent");
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "no temporary folder for the agent: " + e);
            }
        }
    }

    /** {@code host}, {@code host:port}, {@code [v6]:port} or a bare IPv6 address. */
    record HostPort(String host, int port) {
        static HostPort parse(String text, int defaultPort) {
            String t = text.trim();
            String host;
            String port = null;
            if (t.startsWith("[")) {
                int end = t.indexOf(']');
                if (end < 0) {
                    throw new IllegalArgumentException("'" + text + "': missing ']'");
                }
                host = t.substring(1, end);
                String rest = t.substring(end + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) {
                        throw new IllegalArgumentException("'" + text + "': expected ':' after ']'");
                    }
                    port = rest.substring(1);
                }
            } else if (t.indexOf(':') >= 0 && t.indexOf(':') == t.lastIndexOf(':')) {
                host = t.substring(0, t.indexOf(':'));
                port = t.substring(t.indexOf(':') + 1);
            } else {
                host = t; // a name, an IPv4 address or a bare IPv6 address
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "': no host");
            }
            int p = defaultPort;
            if (port != null) {
                try {
                    p = Integer.parseInt(port);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "': port '" + port + "' is not a number");
                }
                if (p < 1 || p > 65535) {
                    throw new IllegalArgumentException("'" + text + "': port " + p + " is not between 1 and 65535");
                }
            }
            return new HostPort(host, p);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{ "OpenDPM agent " + (v != null ? v : "(development build)") };
        }
    }
}
