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

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The distribution as an administrator runs it: unpacked, started with {@code bin/karaf server}, stopped and started
 * again. Checks the first admin password (generated or from the environment) and that settings and the inventory
 * survive a restart.
 */
public class ServerProcessIT {

    private final List<Process> started = new ArrayList<>();
    private final List<Process> agents = new ArrayList<>();

    @After
    public void stopEverything() {
        agents.forEach(Process::destroyForcibly);
        started.forEach(Distribution::stop);
    }

    private Process start(Path home, Map<String, String> env) throws IOException {
        Process p = Distribution.start(home, env);
        started.add(p);
        return p;
    }

    /**
     * Starts the server and waits for REST. A start that hangs in Karaf's own boot stage, before any OpenDPM
     * feature is installed (karaf.log names none), is stopped and started once more, saying so: that hang is
     * Karaf's and rare, and it must not hide a failure of ours, so a start that reached OpenDPM is never retried.
     */
    private Process startUp(Path home, Map<String, String> env, Rest rest) throws IOException {
        Process p = start(home, env);
        try {
            Distribution.awaitUp(rest, home);
            return p;
        } catch (AssertionError e) {
            String log = Files.readString(home.resolve("data/log/karaf.log"));
            if (log.contains("org.opendpm")) {
                throw e;
            }
            System.err.println("Karaf hung in its boot stage before any OpenDPM feature (" + home
                    + "/data/log/karaf.log ends there); starting it once more");
            Distribution.stop(p);
            started.remove(p);
            Process again = start(home, env);
            Distribution.awaitUp(rest, home);
            return again;
        }
    }

    @Test
    public void firstStartGeneratesAnOwnerOnlyAdminPasswordAndSettingsSurviveARestart() throws Exception {
        var server = Distribution.unpack("generated");
        Path home = server.getKey();
        Rest rest = new Rest(server.getValue());
        Process first = startUp(home, Map.of(), rest);
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
        startWorkThatSpansARestart(home, rest, password);

        Distribution.stop(first);
        assertFalse(first.isAlive());
        assertFalse(first.descendants().findAny().isPresent());
        startUp(home, Map.of(), rest);
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
        checkWorkAfterTheRestart(rest, password);
    }

    private long runningExecution;
    private long busyMachine;
    private long scheduledMachine;
    private long schedule;

    private static JsonNode ok(Rest.Response r, int status) {
        assertEquals(r.body(), status, r.status());
        return r.json();
    }

    private Process agent(Path home, String name, String mac) throws IOException {
        Path state = Files.createDirectories(home.resolve("agents").resolve(name));
        String port = Distribution.key(home.resolve("etc/org.opendpm.transfer.cfg"), "port");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-jar", System.getProperty("opendpm.agent.jar"), "--server",
                "127.0.0.1:" + port, "--state", state.toString(), "--mac", mac, "--name", name)
                .redirectErrorStream(true).redirectOutput(state.resolve("agent.log").toFile()).start();
        agents.add(p);
        return p;
    }

    /**
     * Before the restart: one execution running on a machine with a real agent, and a one-off schedule for a second
     * machine that comes due while or just after the server is down.
     */
    private void startWorkThatSpansARestart(Path home, Rest rest, String password) throws Exception {
        Distribution.client(home, password, "feature:install opendpm-plugin-scenario-fake");
        long group = ok(rest.send("POST", "groups", "{\"path\":\"/Run\"}", "admin", password), 201).get("id").asLong();
        busyMachine = ok(rest.send("POST", "machines", "{\"groupId\":" + group + ",\"name\":\"busy\","
                + "\"macs\":[\"02:5e:00:00:00:01\"]}", "admin", password), 201).get("id").asLong();
        scheduledMachine = ok(rest.send("POST", "machines", "{\"groupId\":" + group + ",\"name\":\"later\","
                + "\"macs\":[\"02:5e:00:00:00:02\"]}", "admin", password), 201).get("id").asLong();
        agent(home, "busy", "02:5e:00:00:00:01");
        agent(home, "later", "02:5e:00:00:00:02");
        long sg = ok(rest.send("POST", "scenario-groups", "{\"path\":\"/Run\"}", "admin", password), 201).get("id")
                .asLong();
        Rest.awaitMillis(60_000, () -> rest.get("plugins", "admin", password).body().contains("\"fake\""),
                "fake scenario type installed");
        long slow = ok(rest.send("POST", "scenarios", "{\"name\":\"Slow\",\"groupId\":" + sg + ",\"tabs\":{\"fake\":"
                + "{\"command\":\"sleep 600\"}}}", "admin", password), 201).get("id").asLong();
        long quick = ok(rest.send("POST", "scenarios", "{\"name\":\"Quick\",\"groupId\":" + sg + ",\"tabs\":{\"fake\":"
                + "{\"command\":\"echo after the restart\"}}}", "admin", password), 201).get("id").asLong();
        Rest.awaitMillis(60_000, () -> rest.get("agents", "admin", password).json().findValues("machineId").size() == 2,
                "both agents connected");
        runningExecution = ok(rest.send("POST", "executions", "{\"machineIds\":[" + busyMachine + "],\"scenarioId\":"
                + slow + "}", "admin", password), 201).get(0).get("id").asLong();
        Rest.awaitMillis(30_000, () -> rest.get("executions/" + runningExecution, "admin", password).json()
                .get("state").asText().equals("RUNNING"), "execution running");
        String at = java.time.LocalDateTime.now(java.time.ZoneId.of("Europe/Berlin")).plusSeconds(20)
                .withNano(0).toString();
        schedule = ok(rest.send("POST", "schedules", "{\"name\":\"after restart\",\"kind\":\"EXECUTE\",\"scenarioId\":"
                + quick + ",\"machineIds\":[" + scheduledMachine + "],\"at\":\"" + at
                + "\",\"timeZone\":\"Europe/Berlin\"}", "admin", password), 201).get("id").asLong();
    }

    /** After it: nothing left executing, the interrupted execution ended with a clear error, the schedule fired. */
    private void checkWorkAfterTheRestart(Rest rest, String password) {
        Rest.awaitMillis(60_000, () -> rest.get("executions/" + runningExecution, "admin", password).status() == 200,
                "execution API after the restart");
        JsonNode interrupted = rest.get("executions/" + runningExecution, "admin", password).json();
        assertEquals(interrupted.toString(), "FAILED", interrupted.get("state").asText());
        assertTrue(interrupted.get("message").asText(), interrupted.get("message").asText()
                .startsWith("The server stopped during step 1 of 1 (Agent command), which cannot be carried out again"));
        assertEquals("SCENARIO_EXECUTION_ERROR", rest.get("machines/" + busyMachine, "admin", password).json()
                .get("status").asText());
        for (JsonNode e : rest.get("executions", "admin", password).json()) {
            assertTrue(e.toString(), e.get("id").asLong() != runningExecution);
        }
        Rest.awaitMillis(120_000, () -> rest.get("results?machineId=" + scheduledMachine, "admin", password).json()
                .get("results").findValuesAsText("state").contains("COMPLETED"), "the scheduled execution completed");
        JsonNode fired = rest.get("schedules/" + schedule, "admin", password).json();
        assertTrue(fired.toString(), fired.hasNonNull("lastFiredAt"));
    }

    @Test
    public void theEnvironmentSetsTheFirstAdminPasswordAndNoFileIsWritten() throws Exception {
        var server = Distribution.unpack("from-env");
        Path home = server.getKey();
        Rest rest = new Rest(server.getValue());
        String password = "set by automation 42";
        startUp(home, Map.of("OPENDPM_ADMIN_PASSWORD", password), rest);
        Rest.awaitMillis(20_000, () -> rest.get("plugins", "admin", password).status() == 200, "admin login");
        assertFalse(new File(home.toFile(), "data/initial-admin-password").exists());
        assertEquals(401, rest.get("plugins", "admin", "admin").status());
        assertEquals(401, rest.get("plugins", "karaf", "karaf").status());
    }
}
