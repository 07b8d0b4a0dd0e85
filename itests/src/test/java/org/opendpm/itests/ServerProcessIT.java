package org.opendpm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.junit.After;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

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

    /** Starts the server and waits for REST; see {@link #startUp(Path, Map, Runnable)}. */
    private Process startUp(Path home, Map<String, String> env, Rest rest) throws IOException {
        return startUp(home, env, () -> Distribution.awaitUp(rest, home));
    }

    /**
     * Starts the server and runs {@code awaitUp} at once. A start that hangs in Karaf's own boot stage, before any
     * OpenDPM feature is installed (karaf.log names none), is stopped and started once more, saying so: that hang is
     * Karaf's and rare, and it must not hide a failure of ours, so a start that reached OpenDPM is never retried.
     */
    private Process startUp(Path home, Map<String, String> env, Runnable awaitUp) throws IOException {
        Process p = start(home, env);
        try {
            awaitUp.run();
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
            awaitUp.run();
            return again;
        }
    }

    @Test
    public void firstStartGeneratesAnOwnerOnlyAdminPasswordAndSettingsSurviveAKill() throws Exception {
        var server = Distribution.unpack("generated");
        Path home = server.getKey();
        Rest rest = new Rest(server.getValue());
        Path file = home.resolve("data/initial-admin-password");
        Map<String, Integer> beforeLogin = new TreeMap<>();
        Process first = startUp(home, Map.of(), () -> {
            beforeLogin.clear();
            unauthorizedOnlyOnceTheAdminExists(rest, file, home, beforeLogin);
        });
        System.out.println("Answers without credentials from process start to the end of Karaf's boot: " + beforeLogin);
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

        // Killed, not stopped: what was committed survives, and the execution cut off mid-step ends with a
        // message naming the step instead of staying "Scenario Executing".
        Distribution.kill(first);
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
        // Running its step, not only planned: a plan cut off by the kill would rightly wait again after the restart.
        Rest.awaitMillis(30_000, () -> {
            JsonNode e = rest.get("executions/" + runningExecution, "admin", password).json();
            return e.get("state").asText().equals("RUNNING") && e.get("step").asInt() == 1;
        }, "execution running its step");
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
                .startsWith(
                        "The server stopped during step 1 of 1 (Agent command), which cannot be carried out again"));
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

    /**
     * The first admin's password from the environment is never refused: polled from the moment the process starts
     * to the end of Karaf's boot, REST answers "starting" (503) until it lets the admin in, never 401. Then, on the
     * same server, the OpenAPI document as a viewer reads it.
     */
    @Test
    public void theEnvironmentSetsTheFirstAdminPasswordWhichIsNeverRefusedAndNoFileIsWritten() throws Exception {
        var server = Distribution.unpack("from-env");
        Path home = server.getKey();
        Rest rest = new Rest(server.getValue());
        String password = "set by automation 42";
        Map<String, Integer> seen = new TreeMap<>();
        startUp(home, Map.of("OPENDPM_ADMIN_PASSWORD", password), () -> {
            seen.clear();
            adminIsNeverRefused(rest, password, home, seen);
        });
        System.out.println("Answers to the admin from process start to the end of Karaf's boot: " + seen);
        assertFalse(new File(home.toFile(), "data/initial-admin-password").exists());
        assertEquals(401, rest.get("plugins", "admin", "admin").status());
        assertEquals(401, rest.get("plugins", "karaf", "karaf").status());
        theOpenApiDocumentIsValidAndEveryErrorIsAProblem(rest, password);
        theApiDocumentationIsBrowsable(rest, password);
        sshLoginsAreThrottledByNameAndAddress(home);
    }

    /**
     * Wrong passwords over SSH count against the user name and the client's address as over REST: Karaf's SSH server
     * hands the realm the address in the subject, and the throttle's WARN names it.
     */
    private static void sshLoginsAreThrottledByNameAndAddress(Path home) throws Exception {
        Path log = home.resolve("data/log/karaf.log");
        for (int i = 1; i <= 5; i++) {
            assertEquals("a wrong SSH password is refused", 1,
                    Distribution.clientOnce(home, "intruder", "wrong password " + i, "dpm:plugins"));
        }
        String warning = "Logins for user 'intruder' delayed";
        Rest.awaitMillis(10_000, () -> {
            try {
                return Files.readString(log).lines().anyMatch(l -> l.contains(warning));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, "the throttle's WARN in " + log);
        String line = Files.readString(log).lines().filter(l -> l.contains(warning)).findFirst().orElseThrow();
        assertTrue(line, line.contains("the last from 127.0.0.1"));
    }

    /**
     * Asks as the admin from the process start to the end of Karaf's boot. Fails at the first 401 or 403. Before REST
     * is registered the connection is refused or the HTTP service answers 404; while resources arrive the JAX-RS
     * whiteboard rebuilds the application, and a request may meet 404 in between.
     */
    private static void adminIsNeverRefused(Rest rest, String password, Path home, Map<String, Integer> seen) {
        pollFromStart(() -> rest.get("plugins", "admin", password), r -> {
            assertTrue("the admin's password was refused while OpenDPM started: " + r.status() + " " + r.body()
                    + " after " + seen, r.status() != 401 && r.status() != 403);
            return r.status() == 200;
        }, seen, home);
    }

    /**
     * Asks without credentials from the process start to the end of Karaf's boot. Nothing is answered without
     * credentials, and REST says 401 only once logins are possible, so by then the first admin's password file
     * exists.
     */
    private static void unauthorizedOnlyOnceTheAdminExists(Rest rest, Path passwordFile, Path home,
            Map<String, Integer> seen) {
        pollFromStart(() -> rest.get("server", null, null), r -> {
            assertTrue("answered without credentials: " + r.status() + " " + r.body() + " after " + seen,
                    r.status() < 200 || r.status() > 299);
            if (r.status() == 401) {
                assertTrue("401 before the first admin's password was written: " + seen, Files.exists(passwordFile));
                return true;
            }
            return false;
        }, seen, home);
    }

    /**
     * Sends the request every few milliseconds, counting the answers by status and problem title in {@code seen},
     * until {@code check} has called one the awaited answer and Karaf has logged both boot stages done (120 s at
     * most). A 503 problem must be "OpenDPM is starting" with Retry-After.
     */
    private static void pollFromStart(Supplier<Rest.Response> request, Predicate<Rest.Response> check,
            Map<String, Integer> seen, Path home) {
        Path log = home.resolve("data/log/karaf.log");
        long logStart = log.toFile().length();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long nextLogCheck = 0;
        boolean awaited = false;
        while (true) {
            Rest.Response r = request.get();
            boolean problem = r.body().startsWith("{");
            seen.merge(r.status() + (problem ? " " + r.json().path("title").asText() : ""), 1, Integer::sum);
            if (r.status() == 503 && problem) {
                assertEquals(r.body(), "OpenDPM is starting", r.json().get("title").asText());
                assertEquals(r.body(), "1", r.retryAfter());
            }
            awaited |= check.test(r);
            if (awaited && System.nanoTime() > nextLogCheck) {
                if (bootStagesDone(log, logStart) >= 2) {
                    return;
                }
                nextLogCheck = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not the awaited answer and a finished boot within 120 s (" + seen
                        + "); see " + log);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** How many feature provisionings Karaf has logged as done since {@code offset} of its log. */
    private static long bootStagesDone(Path log, long offset) {
        try (var in = Files.newInputStream(log)) {
            in.skipNBytes(offset);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains("| FeaturesServiceImpl ") && l.endsWith("| Done.")).count();
        } catch (IOException e) {
            throw new AssertionError("cannot read " + log, e);
        }
    }

    /** The README's link to the API documentation: Swagger UI and the document, without signing in. */
    private static void theApiDocumentationIsBrowsable(Rest rest, String password) {
        HttpResponse<String> folder = rest.page("/opendpm/api/docs");
        assertEquals(302, folder.statusCode());
        assertTrue(folder.headers().firstValue("Location").orElse(""), folder.headers().firstValue("Location")
                .orElse("").endsWith("/opendpm/api/docs/"));
        HttpResponse<String> page = rest.page("/opendpm/api/docs/");
        assertEquals(page.body(), 200, page.statusCode());
        assertTrue(page.body(), page.body().contains("<title>OpenDPM REST API</title>"));
        for (String file : List.of("swagger-ui-bundle.js", "swagger-ui.css", "swagger-initializer.js")) {
            assertEquals(file, 200, rest.page("/opendpm/api/docs/" + file).statusCode());
        }
        HttpResponse<String> document = rest.page("/opendpm/api/docs/openapi.json");
        assertEquals(200, document.statusCode());
        assertEquals(rest.get("openapi.json", "admin", password).body(), document.body());
        assertEquals(404, rest.page("/opendpm/api/docs/ApiDocsServlet.class").statusCode());
    }

    /**
     * The served OpenAPI document, as a viewer fetches it, read by a real OpenAPI parser: no messages, the known
     * paths, and every 4xx or 5xx answer of every operation is the one {@code Problem} schema.
     */
    private static void theOpenApiDocumentIsValidAndEveryErrorIsAProblem(Rest rest, String password) {
        Rest.Response created = rest.send("POST", "users", "{\"name\":\"reader\",\"password\":\"a long password 1\","
                + "\"roles\":[\"viewer\"]}", "admin", password);
        assertEquals(created.body(), 201, created.status());
        Rest.Response doc = rest.get("openapi.json", "reader", "a long password 1");
        assertEquals(doc.body(), 200, doc.status());
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(doc.body(), null, options);
        assertEquals(List.of(), result.getMessages());
        OpenAPI api = result.getOpenAPI();
        assertTrue(api.getPaths().keySet().toString(), api.getPaths().keySet().containsAll(
                List.of("/machines", "/executions", "/scenarios", "/users", "/server", "/openapi.json")));
        String problem = "#/components/schemas/Problem";
        assertTrue(api.getComponents().getSchemas().containsKey("Problem"));
        List<String> errors = new ArrayList<>();
        List<String> notProblem = new ArrayList<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> op.getResponses()
                .forEach((status, response) -> {
                    if (status.startsWith("4") || status.startsWith("5")) {
                        errors.add(method + " " + path + " " + status);
                        boolean ok = response.getContent() != null && !response.getContent().isEmpty()
                                && response.getContent().values().stream().allMatch(m -> m.getSchema() != null
                                        && problem.equals(m.getSchema().get$ref()));
                        if (!ok) {
                            notProblem.add(method + " " + path + " " + status);
                        }
                    }
                })));
        assertTrue("no operation declares an error answer", errors.size() > 10);
        assertEquals(List.of(), notProblem);
        System.out.println("OpenAPI " + api.getOpenapi() + ": " + api.getPaths().size() + " paths, " + errors.size()
                + " error answers, all Problem");
    }
}
