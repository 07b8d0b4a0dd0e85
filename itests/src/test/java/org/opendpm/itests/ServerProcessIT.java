package org.opendpm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Test;

/**
 * The distribution as an administrator runs it: unpacked, started with {@code bin/karaf server}, stopped and started
 * again. Checks the first admin password (generated or from the environment) and that settings and the inventory
 * survive a restart.
 */
public class ServerProcessIT {

    private final List<Process> started = new ArrayList<>();

    @After
    public void stopEverything() {
        started.forEach(ServerProcessIT::stop);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Unpacks a fresh server with its own free ports; returns its home and HTTP port. */
    private static Map.Entry<Path, Integer> unpack(String name) throws Exception {
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
        return Map.entry(dir, http);
    }

    private static void setKey(Path cfg, String key, String value) throws IOException {
        String text = Files.readString(cfg);
        var p = Pattern.compile("(?m)^" + Pattern.quote(key) + "\\s*=.*$");
        assertTrue(cfg + " has " + key, p.matcher(text).find());
        Files.writeString(cfg, p.matcher(text).replaceFirst(key + " = " + value));
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertEquals(String.join(" ", command), 0, p.waitFor());
    }

    private Process start(Path home, Map<String, String> env) throws IOException {
        var pb = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server").directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("console.log").toFile());
        pb.environment().remove("OPENDPM_ADMIN_PASSWORD");
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** SIGTERM to the JVM (Karaf stops its bundles in its shutdown hook), then to the script. */
    private static void stop(Process p) {
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

    private static void awaitUp(Rest rest, Path home) {
        Rest.awaitMillis(120_000, () -> rest.get("server", null, null).status() == 401,
                "REST of " + home + " up (see its data/log/karaf.log)");
    }

    @Test
    public void firstStartGeneratesAnOwnerOnlyAdminPasswordAndSettingsSurviveARestart() throws Exception {
        var server = unpack("generated");
        Path home = server.getKey();
        Rest rest = new Rest(server.getValue());
        Process first = start(home, Map.of());
        awaitUp(rest, home);
        Path file = home.resolve("data/initial-admin-password");
        Rest.awaitMillis(20_000, () -> Files.exists(file), "initial admin password file");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String password = Files.readString(file, StandardCharsets.UTF_8).strip();
        assertTrue(password.length() >= 20);
        // Karaf's own user file keeps no user: the only way in is the OpenDPM realm.
        for (String line : Files.readAllLines(home.resolve("etc/users.properties"))) {
            assertTrue(line, line.isBlank() || line.startsWith("#"));
        }
        Rest.awaitMillis(20_000, () -> rest.get("settings", "admin", password).status() == 200, "admin login");
        Rest.Response patched = rest.send("PATCH", "settings",
                "{\"scenarioTimeoutMinutes\": 240, \"defaultDeployOs\": \"ia32_121228_26\"}", "admin", password);
        assertEquals(patched.body(), 200, patched.status());
        Rest.Response group = rest.send("POST", "groups", "{\"path\":\"/Kept\",\"network\":{\"defaultGateway\":"
                + "\"192.168.1.1\",\"subnetMask\":\"255.255.0.0\"}}", "admin", password);
        assertEquals(group.body(), 201, group.status());
        Rest.Response machine = rest.send("POST", "machines", "{\"groupPath\":\"/Kept\",\"name\":\"kept-1\","
                + "\"macs\":[\"00-50-56-AA-BB-CC\"],\"ip\":\"192.168.1.20\"}", "admin", password);
        assertEquals(machine.body(), 201, machine.status());

        stop(first);
        assertFalse(first.isAlive());
        assertFalse(first.descendants().findAny().isPresent());
        start(home, Map.of());
        awaitUp(rest, home);
        // Just after start the DataSource may still be coming up (503); what matters is what is read once it is.
        Rest.awaitMillis(30_000, () -> {
            Rest.Response r = rest.get("settings", "admin", password);
            return r.status() == 200 && r.json().get("scenarioTimeoutMinutes").asInt() == 240
                    && r.json().get("defaultDeployOs").asText().equals("ia32_121228_26");
        }, "settings written before the restart read back after it");
        Rest.Response kept = rest.get("machines?groupPath=/Kept", "admin", password);
        assertEquals(kept.body(), 200, kept.status());
        assertEquals(kept.body(), 1, kept.json().get("total").asInt());
        assertEquals("[\"00:50:56:aa:bb:cc(*)\"]", kept.json().get("machines").get(0).get("macs").toString());
        assertEquals("192.168.1.1", rest.get("groups/by-path?path=/Kept", "admin", password).json().get("network")
                .get("defaultGateway").asText());
        assertEquals(password, Files.readString(file, StandardCharsets.UTF_8).strip());
        assertEquals(1, rest.get("users", "admin", password).json().size());
    }

    @Test
    public void theEnvironmentSetsTheFirstAdminPasswordAndNoFileIsWritten() throws Exception {
        var server = unpack("from-env");
        Path home = server.getKey();
        Rest rest = new Rest(server.getValue());
        String password = "set by automation 42";
        start(home, Map.of("OPENDPM_ADMIN_PASSWORD", password));
        awaitUp(rest, home);
        Rest.awaitMillis(20_000, () -> rest.get("plugins", "admin", password).status() == 200, "admin login");
        assertFalse(new File(home.toFile(), "data/initial-admin-password").exists());
        assertEquals(401, rest.get("plugins", "admin", "admin").status());
        assertEquals(401, rest.get("plugins", "karaf", "karaf").status());
    }
}
