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
        started.forEach(Distribution::stop);
    }

    private Process start(Path home, Map<String, String> env) throws IOException {
        Process p = Distribution.start(home, env);
        started.add(p);
        return p;
    }

    @Test
    public void firstStartGeneratesAnOwnerOnlyAdminPasswordAndSettingsSurviveARestart() throws Exception {
        var server = Distribution.unpack("generated");
        Path home = server.getKey();
        Rest rest = new Rest(server.getValue());
        Process first = start(home, Map.of());
        Distribution.awaitUp(rest, home);
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

        Distribution.stop(first);
        assertFalse(first.isAlive());
        assertFalse(first.descendants().findAny().isPresent());
        start(home, Map.of());
        Distribution.awaitUp(rest, home);
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
        var server = Distribution.unpack("from-env");
        Path home = server.getKey();
        Rest rest = new Rest(server.getValue());
        String password = "set by automation 42";
        start(home, Map.of("OPENDPM_ADMIN_PASSWORD", password));
        Distribution.awaitUp(rest, home);
        Rest.awaitMillis(20_000, () -> rest.get("plugins", "admin", password).status() == 200, "admin login");
        assertFalse(new File(home.toFile(), "data/initial-admin-password").exists());
        assertEquals(401, rest.get("plugins", "admin", "admin").status());
        assertEquals(401, rest.get("plugins", "karaf", "karaf").status());
    }
}
