package org.opendpm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** The distribution as an administrator handles it: unpacked with its own ports, started, stopped. */
final class Distribution {

    private Distribution() {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Unpacks a fresh server with its own free ports; returns its home and HTTP port. */
    static Map.Entry<Path, Integer> unpack(String name) throws Exception {
        Path dir = Path.of("target", "e2e", name).toAbsolutePath();
        if (Files.exists(dir)) {
            run(List.of("rm", "-rf", dir.toString()));
        }
        Files.createDirectories(dir);
        run(List.of("tar", "-xzf", System.getProperty("opendpm.distribution"), "-C", dir.toString(),
                "--strip-components=1"));
        int http = freePort();
        setKey(dir.resolve("etc/org.ops4j.pax.web.cfg"), "org.osgi.service.http.port", "" + http);
        setKey(dir.resolve("etc/org.apache.karaf.shell.cfg"), "sshPort", "" + freePort());
        setKey(dir.resolve("etc/org.apache.karaf.management.cfg"), "rmiRegistryPort", "" + freePort());
        setKey(dir.resolve("etc/org.apache.karaf.management.cfg"), "rmiServerPort", "" + freePort());
        setKey(dir.resolve("etc/org.opendpm.transfer.cfg"), "address", "127.0.0.1");
        setKey(dir.resolve("etc/org.opendpm.transfer.cfg"), "port", "" + freePort());
        setKey(dir.resolve("etc/org.opendpm.transfer.cfg"), "discoveryPort", "0");
        return Map.entry(dir, http);
    }

    static void setKey(Path cfg, String key, String value) throws IOException {
        String text = Files.readString(cfg);
        var p = Pattern.compile("(?m)^" + Pattern.quote(key) + "\\s*=.*$");
        assertTrue(cfg + " has " + key, p.matcher(text).find());
        Files.writeString(cfg, p.matcher(text).replaceFirst(key + " = " + value));
    }

    static String key(Path cfg, String key) throws IOException {
        var m = Pattern.compile("(?m)^" + Pattern.quote(key) + "\\s*=\\s*(.*)$").matcher(Files.readString(cfg));
        assertTrue(cfg + " has " + key, m.find());
        return m.group(1).strip();
    }

    /** Runs a shell command through {@code bin/client} as admin, retrying while SSH comes up. */
    static void client(Path home, String password, String command) throws Exception {
        String port = key(home.resolve("etc/org.apache.karaf.shell.cfg"), "sshPort");
        for (int attempt = 0; attempt < 30; attempt++) {
            Process p = new ProcessBuilder(home.resolve("bin/client").toString(), "-h", "127.0.0.1", "-a", port, "-u",
                    "admin", "-p", password, "-b").redirectErrorStream(true)
                    .redirectOutput(home.resolve("client.log").toFile()).start();
            try (var in = p.getOutputStream()) {
                in.write((command + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            if (p.waitFor() == 0) {
                return;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("bin/client " + command + " failed; see " + home.resolve("client.log"));
    }

    /** One {@code bin/client} login as {@code user} running {@code command}; its exit code (-1 if it hung 60 s). */
    static int clientOnce(Path home, String user, String password, String command) throws Exception {
        String port = key(home.resolve("etc/org.apache.karaf.shell.cfg"), "sshPort");
        Process p = new ProcessBuilder(home.resolve("bin/client").toString(), "-h", "127.0.0.1", "-a", port, "-u", user,
                "-p", password, "-b").redirectErrorStream(true).redirectOutput(home.resolve("client.log").toFile())
                .start();
        try (var in = p.getOutputStream()) {
            in.write((command + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertEquals(String.join(" ", command), 0, p.waitFor());
    }

    static Process start(Path home, Map<String, String> env) throws IOException {
        return start(home, env, List.of());
    }

    /** Starts the server through {@code prefix} (such as {@code ip netns exec NS}, which execs it in place). */
    static Process start(Path home, Map<String, String> env, List<String> prefix) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(prefix);
        cmd.addAll(List.of(home.resolve("bin/karaf").toString(), "server"));
        var pb = new ProcessBuilder(cmd).directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("console.log").toFile());
        pb.environment().remove("OPENDPM_ADMIN_PASSWORD");
        pb.environment().putAll(env);
        Process p = pb.start();
        return p;
    }

    /** SIGTERM to the JVM (Karaf stops its bundles in its shutdown hook), then to the script. */
    static void stop(Process p) {
        List<ProcessHandle> jvms = p.descendants().toList();
        jvms.forEach(ProcessHandle::destroy);
        try {
            for (ProcessHandle h : jvms) {
                h.onExit().get(60, TimeUnit.SECONDS);
            }
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (Exception e) {
            jvms.forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** SIGKILL to the JVM, as a power cut or the OOM killer would; the script then ends on its own. */
    static void kill(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** REST refuses a request without credentials with 401 only once logins are possible (503 "starting" before). */
    static void awaitUp(Rest rest, Path home) {
        Rest.awaitMillis(120_000, () -> rest.get("server", null, null).status() == 401,
                "REST of " + home + " up (see its data/log/karaf.log)");
    }
}
