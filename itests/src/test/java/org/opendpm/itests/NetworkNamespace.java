package org.opendpm.itests;

import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of the test's own, with a bridge that floods multicast (snooping off, as a plain switch does)
 * and tap devices for QEMU on it: the one place where a test may build a segment with real multicast and DHCP
 * without touching the host's network. {@link #close} ends what runs inside and deletes it, also after a failure.
 */
final class NetworkNamespace implements AutoCloseable {

    static final String BRIDGE = "br0";

    private final String name;
    private final List<Process> processes = new ArrayList<>();

    private NetworkNamespace(String name) {
        this.name = name;
    }

    /**
     * A new namespace with a unique name, its loopback up and {@link #BRIDGE} holding {@code cidr} (with its
     * broadcast address: multicast senders and DHCP want it) and one tap device per name in {@code taps}.
     */
    static NetworkNamespace create(String prefix, String cidr, List<String> taps) throws Exception {
        String name = prefix + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Distribution.run(List.of("ip", "netns", "add", name));
        NetworkNamespace ns = new NetworkNamespace(name);
        try {
            ns.ip("link", "set", "lo", "up");
            ns.ip("link", "add", BRIDGE, "type", "bridge", "mcast_snooping", "0");
            ns.ip("addr", "add", cidr, "brd", "+", "dev", BRIDGE);
            ns.ip("link", "set", BRIDGE, "up");
            for (String tap : taps) {
                ns.ip("tuntap", "add", "dev", tap, "mode", "tap");
                ns.ip("link", "set", tap, "master", BRIDGE, "up");
            }
            return ns;
        } catch (Throwable t) {
            ns.close();
            throw t;
        }
    }

    /** True when {@code ip netns} works here (a kernel and rights that allow network namespaces). */
    static boolean available() {
        try {
            Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0 && ProcessHandle.current().info().user().map("root"::equals).orElse(false);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    String name() {
        return name;
    }

    /** {@code command} run inside the namespace, its output to {@code log}; ended by {@link #close}. */
    Process start(List<String> command, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    private void ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        Distribution.run(cmd);
    }

    /**
     * Ends the processes started here, then whatever else still runs inside (the namespace is this test's alone),
     * and deletes the namespace with its bridge and taps.
     */
    @Override
    public void close() {
        processes.forEach(Process::destroyForcibly);
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Process pids = new ProcessBuilder("ip", "netns", "pids", name).start();
            for (String pid : new String(pids.getInputStream().readAllBytes()).split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            pids.waitFor();
            Process del = new ProcessBuilder("ip", "netns", "delete", name).inheritIO().start();
            if (del.waitFor() != 0) {
                fail("could not delete network namespace " + name);
            }
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("could not delete network namespace " + name, e);
        }
    }
}
