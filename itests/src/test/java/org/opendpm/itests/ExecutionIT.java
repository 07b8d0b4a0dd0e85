package org.opendpm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Scenario execution end to end on the real distribution, booted once, with real agent processes
 * ({@code java -jar opendpm-agent.jar}) connected over TLS on loopback: the simultaneous-execution limit (EXE-4), an
 * agent killed mid-execution and Remove Error (EXE-8), the Deploy-OS precondition (EXE-3), file distribution with
 * permissions (FIL-1, FIL-2), an agent presenting another machine's credential, and bad frames and a connection flood
 * that leave the other agents working; the scenario types and the steps and log of an execution (SCN-2, EXE-6);
 * packages installed by a real agent and Execute At Next Startup (PKG-1, PKG-2, EXE-11); packages downloaded from
 * signed Package Web Servers (PKG-3).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ExecutionIT {

    private static final String FAKE_FEATURE = "opendpm-plugin-scenario-fake";

    @Inject
    private SessionFactory sessions;

    private Rest rest;
    private String adminPassword;
    private final List<Process> agents = new ArrayList<>();

    @Configuration
    public Option[] configuration() throws IOException {
        return Container.options();
    }

    @Before
    public void serverIsUp() throws Exception {
        rest = Container.rest();
        adminPassword = Container.adminPassword();
        Rest.awaitMillis(60_000, () -> admin("GET", "executions", null).status() == 200, "execution API reachable");
        if (!Container.shell(sessions, "feature:list -i").contains(FAKE_FEATURE)) {
            Container.shell(sessions, "feature:install " + FAKE_FEATURE);
        }
        Rest.awaitMillis(30_000, () -> admin("GET", "plugins", null).body().contains("fake-deployos"),
                "fake scenario types registered");
    }

    @After
    public void stopAgents() throws InterruptedException {
        for (Process p : agents) {
            p.destroy();
        }
        for (Process p : agents) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        agents.clear();
    }

    private Rest.Response admin(String method, String path, String json) {
        return rest.send(method, path, json, "admin", adminPassword);
    }

    private static JsonNode ok(Rest.Response r, int status) {
        assertEquals(r.body(), status, r.status());
        return r.body().isEmpty() ? null : r.json();
    }

    private long group(String path) {
        Rest.Response r = admin("POST", "groups", "{\"path\":\"" + path + "\"}");
        if (r.status() == 409) {
            for (JsonNode g : ok(admin("GET", "groups", null), 200)) {
                if (g.get("path").asText().equals(path)) {
                    return g.get("id").asLong();
                }
            }
        }
        return ok(r, 201).get("id").asLong();
    }

    private long machine(String name, String mac, String extra) {
        long g = group("/exec");
        return ok(admin("POST", "machines", "{\"groupId\":" + g + ",\"name\":\"" + name + "\",\"macs\":[\"" + mac
                + "\"]" + extra + "}"), 201).get("id").asLong();
    }

    /** The scenario of this name, created in the scenario group /exec with one tab running the command. */
    private long scenario(String name, String type, String command) {
        for (JsonNode sc : ok(admin("GET", "scenarios", null), 200)) {
            if (sc.get("name").asText().equals(name)) {
                return sc.get("id").asLong();
            }
        }
        long group = -1;
        for (JsonNode g : ok(admin("GET", "scenario-groups", null), 200)) {
            if (g.get("path").asText().equals("/exec")) {
                group = g.get("id").asLong();
            }
        }
        if (group < 0) {
            group = ok(admin("POST", "scenario-groups", "{\"path\":\"/exec\"}"), 201).get("id").asLong();
        }
        return ok(admin("POST", "scenarios", "{\"name\":\"" + name + "\",\"groupId\":" + group + ",\"tabs\":{\""
                + type + "\":{\"command\":" + json(command) + "}}}"), 201).get("id").asLong();
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Starts a real agent process for the MAC with its own state folder. */
    private Process agent(String name, String mac, Path state) throws IOException {
        String jar = System.getProperty(Container.AGENT_JAR);
        assertTrue("agent jar " + jar, jar != null && new File(jar).isFile());
        Files.createDirectories(state);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-jar", jar, "--server",
                "127.0.0.1:" + Integer.getInteger(Container.AGENT_PORT), "--state", state.toString(), "--mac", mac,
                "--name", name).redirectErrorStream(true)
                .redirectOutput(state.resolve("agent.log").toFile()).start();
        agents.add(p);
        return p;
    }

    private JsonNode agentOf(long machineId) {
        for (JsonNode a : ok(admin("GET", "agents", null), 200)) {
            if (a.hasNonNull("machineId") && a.get("machineId").asLong() == machineId) {
                return a;
            }
        }
        return null;
    }

    private void awaitAgent(long machineId) {
        Rest.awaitMillis(60_000, () -> agentOf(machineId) != null, "agent of machine " + machineId + " connected");
    }

    private JsonNode execution(long id) {
        return ok(admin("GET", "executions/" + id, null), 200);
    }

    private JsonNode awaitExecution(long id, String state) {
        Rest.awaitMillis(60_000, () -> execution(id).get("state").asText().equals(state),
                "execution " + id + " " + state);
        return execution(id);
    }

    private List<Long> execute(long scenarioId, long... machineIds) {
        StringBuilder ids = new StringBuilder();
        for (long id : machineIds) {
            ids.append(ids.length() == 0 ? "" : ",").append(id);
        }
        List<Long> out = new ArrayList<>();
        for (JsonNode e : ok(admin("POST", "executions", "{\"machineIds\":[" + ids + "],\"scenarioId\":" + scenarioId
                + "}"), 201)) {
            out.add(e.get("id").asLong());
        }
        return out;
    }

    private Path dir(String name) throws IOException {
        return Files.createDirectories(Path.of(System.getProperty("karaf.data"), "itest-agents", name));
    }

    @Test
    public void exe4ThreeMachinesWithALimitOfTwoTheThirdWaits() throws Exception {
        ok(admin("PATCH", "settings", "{\"machinesForSimultaneousExecution\": 2}"), 200);
        long[] ids = new long[3];
        for (int i = 0; i < 3; i++) {
            String mac = "02:e4:00:00:00:0" + (i + 1);
            ids[i] = machine("limit" + i, mac, "");
            agent("limit" + i, mac, dir("limit" + i));
        }
        for (long id : ids) {
            awaitAgent(id);
        }
        long s = scenario("Three seconds", "fake", "sleep 3; echo finished");
        List<Long> es = execute(s, ids);

        Rest.awaitMillis(20_000, () -> execution(es.get(0)).get("state").asText().equals("RUNNING")
                && execution(es.get(1)).get("state").asText().equals("RUNNING"), "two running");
        assertEquals("WAITING", execution(es.get(2)).get("state").asText());
        JsonNode list = ok(admin("GET", "executions", null), 200);
        assertEquals(3, list.size());

        for (long e : es) {
            awaitExecution(e, "COMPLETED");
        }
        String firstEnd = execution(es.get(0)).get("endedAt").asText();
        String secondEnd = execution(es.get(1)).get("endedAt").asText();
        String thirdStart = execution(es.get(2)).get("startedAt").asText();
        assertTrue("third started " + thirdStart + " after a place was free (" + firstEnd + ", " + secondEnd + ")",
                thirdStart.compareTo(firstEnd) >= 0 || thirdStart.compareTo(secondEnd) >= 0);
        JsonNode results = ok(admin("GET", "results?scenarioId=" + s, null), 200);
        assertEquals(3, results.get("total").asInt());
        ok(admin("PATCH", "settings", "{\"machinesForSimultaneousExecution\": 5}"), 200);
    }

    @Test
    public void anAgentKilledMidExecutionEndsItWithAnErrorThatRemoveErrorClears() throws Exception {
        String mac = "02:e8:00:00:00:01";
        long m = machine("killed", mac, "");
        Path state = dir("killed");
        Process agent = agent("killed", mac, state);
        awaitAgent(m);
        // Killed while its command runs: before the command reaches it, the engine would wait for the agent to
        // come back (as after a server restart) instead.
        Path pidFile = state.resolve("command.pid");
        long s = scenario("Sixty seconds", "fake", "echo $$ > " + pidFile + "; sleep 60");
        long e = execute(s, m).get(0);
        Rest.awaitMillis(30_000, () -> Files.exists(pidFile) && readPid(pidFile) > 0, "the command started");
        agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

        JsonNode failed = awaitExecution(e, "FAILED");
        assertTrue(failed.get("message").asText(), failed.get("message").asText().contains("Agent command"));
        assertEquals("SCENARIO_EXECUTION_ERROR", ok(admin("GET", "machines/" + m, null), 200).get("status")
                .asText());
        assertEquals(409, admin("POST", "executions", "{\"machineIds\":[" + m + "],\"scenarioId\":" + s + "}")
                .status());

        assertTrue(ok(admin("POST", "machines/" + m + "/remove-error", null), 200).get("removed").asBoolean());
        agent("killed", mac, dir("killed"));
        awaitAgent(m);
        long quick = scenario("Quick", "fake", "true");
        awaitExecution(execute(quick, m).get(0), "COMPLETED");
    }

    @Test
    public void aCancelledExecutionKillsTheCommandOnTheAgent() throws Exception {
        String mac = "02:e9:00:00:00:01";
        long m = machine("cancelled", mac, "");
        Path state = dir("cancelled");
        agent("cancelled", mac, state);
        awaitAgent(m);
        Path pidFile = state.resolve("command.pid");
        long s = scenario("Ten minutes", "fake", "echo $$ > " + pidFile + "; sleep 600");
        long e = execute(s, m).get(0);
        Rest.awaitMillis(30_000, () -> Files.exists(pidFile) && readPid(pidFile) > 0, "the command started");
        ProcessHandle shell = ProcessHandle.of(readPid(pidFile)).orElseThrow();
        List<ProcessHandle> tree = new ArrayList<>(shell.descendants().toList());
        tree.add(shell);

        JsonNode cancelled = ok(admin("POST", "executions/" + e + "/cancel", null), 200);
        assertEquals(cancelled.toString(), "CANCELLED", cancelled.get("state").asText());
        Rest.awaitMillis(15_000, () -> tree.stream().noneMatch(ProcessHandle::isAlive),
                "the command's processes " + tree + " killed by the agent");
    }

    private static long readPid(Path file) {
        try {
            String text = Files.readString(file).strip();
            return text.isEmpty() ? -1 : Long.parseLong(text);
        } catch (IOException | NumberFormatException ex) {
            return -1;
        }
    }

    @Test
    public void exe3AMachineWithoutDeployOsIsRefusedWithTheReason() {
        long m = machine("nodeployos", "02:e3:00:00:00:01", ",\"deployOs\":\"ia32_999999_99\"");
        long s = scenario("In the Deploy-OS", "fake-deployos", "true");
        Rest.Response r = admin("POST", "executions", "{\"machineIds\":[" + m + "],\"scenarioId\":" + s + "}");
        assertEquals(r.body(), 409, r.status());
        assertTrue(r.body(), r.json().get("detail").asText().startsWith(
                "Machine nodeployos has no Deploy-OS: \"ia32_999999_99\""));
        assertTrue(ok(admin("GET", "executions", null), 200).findValues("machineId").stream()
                .noneMatch(n -> n.asLong() == m));
    }

    @Test
    public void fil1AFileArrivesByteExactWithItsPermissions() throws Exception {
        String mac = "02:f1:00:00:00:01";
        long m = machine("files", mac, "");
        agent("files", mac, dir("files"));
        awaitAgent(m);
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(content);
        ok(rest.sendBytes("PUT", "files/payload.bin", content, "admin", adminPassword), 201);
        Path target = dir("files-target");

        JsonNode ops = ok(admin("POST", "file-operations", "{\"machineIds\":[" + m
                + "],\"file\":\"payload.bin\",\"targetFolder\":" + json(target.toString())
                + ",\"permissions\":\"640\"}"), 202);
        long op = ops.get(0).get("id").asLong();
        Rest.awaitMillis(60_000, () -> !ok(admin("GET", "file-operations/" + op, null), 200).get("state").asText()
                .equals("RUNNING"), "file operation finished");
        assertEquals("SUCCEEDED", ok(admin("GET", "file-operations/" + op, null), 200).get("state").asText());
        Path arrived = target.resolve("payload.bin");
        assertEquals(sha256(content), sha256(Files.readAllBytes(arrived)));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(arrived)));

        JsonNode listing = ok(admin("GET", "machines/" + m + "/files?folder=" + target, null), 200);
        assertTrue(listing.toString(), listing.toString().contains("payload.bin"));
        assertTrue(ok(admin("GET", "file-operations?machineId=" + m, null), 200).toString()
                .contains("payload.bin"));
        assertEquals(400, admin("POST", "file-operations", "{\"machineIds\":[" + m
                + "],\"file\":\"payload.bin\",\"targetFolder\":\"relative\",\"permissions\":\"640\"}").status());
    }

    @Test
    public void anAgentPresentingAnotherMachinesCredentialIsRefused() throws Exception {
        String macA = "02:cc:00:00:00:01";
        String macB = "02:cc:00:00:00:02";
        long a = machine("credA", macA, "");
        long b = machine("credB", macB, "");
        Path stateA = dir("credA");
        agent("credA", macA, stateA);
        awaitAgent(a);
        // B's agent starts with A's credential and pinned certificate, as if copied from machine A.
        Path stateB = dir("credB");
        Files.copy(stateA.resolve("credential"), stateB.resolve("credential"));
        Files.copy(stateA.resolve("server-fingerprint"), stateB.resolve("server-fingerprint"));
        long refusedBefore = closed("unauthenticated");
        agent("credB", macB, stateB);
        Rest.awaitMillis(30_000, () -> closed("unauthenticated") > refusedBefore, "credential refused");
        assertEquals(null, agentOf(b));
        assertTrue("A keeps its session", agentOf(a) != null);
    }

    /** Connections the link closed for reasons starting with {@code reason}. */
    private long closed(String reason) {
        JsonNode counters = ok(admin("GET", "agent-link", null), 200).get("closedByReason");
        long n = 0;
        for (var it = counters.fields(); it.hasNext();) {
            var e = it.next();
            if (e.getKey().startsWith(reason)) {
                n += e.getValue().asLong();
            }
        }
        return n;
    }

    @Test
    public void badFramesAndAConnectionFloodLeaveOtherAgentsWorking() throws Exception {
        String mac = "02:bf:00:00:00:01";
        long m = machine("steady", mac, "");
        agent("steady", mac, dir("steady"));
        awaitAgent(m);
        int port = Integer.getInteger(Container.AGENT_PORT);
        // Not TLS, not a frame: the connection is closed and nothing else is touched.
        for (int i = 0; i < 20; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                OutputStream out = s.getOutputStream();
                out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException expected) {
                // closed by the server
            }
        }
        // A flood of 1,000 connections in about a second.
        long limitedBefore = closed("rate-limited");
        for (int i = 0; i < 1000; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            } catch (IOException expected) {
                // refused or closed
            }
        }
        Rest.awaitMillis(10_000, () -> closed("rate-limited") > limitedBefore, "flood rate-limited");
        assertTrue("the steady agent stays", agentOf(m) != null);
        long s = scenario("Echo", "fake", "echo still here");
        awaitExecution(execute(s, m).get(0), "COMPLETED");
        assertFalse(admin("GET", "server", null).status() >= 500);
    }

    @Test
    public void cli1TheShellExecutesListsAndSchedules() throws Exception {
        String mac = "02:5c:00:00:00:01";
        long m = machine("shell01", mac, "");
        agent("shell01", mac, dir("shell01"));
        awaitAgent(m);
        scenario("Shell echo", "fake", "echo from the shell");

        assertTrue(Container.shell(sessions, "dpm:agent-list").contains(mac));
        String started = Container.shell(sessions, "dpm:execute -s \"Shell echo\" shell01");
        assertTrue(started, started.contains("1 executions started"));
        Rest.awaitMillis(30_000, () -> {
            try {
                return Container.shell(sessions, "dpm:result-list -m shell01").contains("COMPLETED");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "result listed in the shell");
        assertTrue(Container.shell(sessions, "dpm:execution-list").contains("0 executions waiting or running"));
        assertTrue(Container.shell(sessions, "dpm:remove-error shell01").contains("shell01"));

        Container.shell(sessions, "dpm:schedule-add -k execute -s \"Shell echo\" -m shell01 --cron \"0 0 3 * * ?\" "
                + "-z Asia/Tokyo nightly-shell");
        String schedules = Container.shell(sessions, "dpm:schedule-list");
        assertTrue(schedules, schedules.contains("nightly-shell") && schedules.contains("Asia/Tokyo"));
        Rest.Response past = admin("POST", "schedules", "{\"name\":\"past\",\"kind\":\"EXECUTE\",\"scenarioId\":"
                + scenario("Shell echo", "fake", "echo from the shell") + ",\"machineIds\":[" + m
                + "],\"at\":\"2020-01-01T00:00:00\",\"timeZone\":\"Europe/Berlin\"}");
        assertEquals(past.body(), 400, past.status());
        assertEquals("at", past.json().get("field").asText());
        Rest.Response zone = admin("POST", "schedules", "{\"name\":\"zone\",\"kind\":\"EXECUTE\",\"scenarioId\":"
                + scenario("Shell echo", "fake", "echo from the shell") + ",\"machineIds\":[" + m
                + "],\"cron\":\"0 0 3 * * ?\",\"timeZone\":\"Mars/Olympus\"}");
        assertEquals(zone.body(), 400, zone.status());
        assertEquals("timeZone", zone.json().get("field").asText());
        Container.shell(sessions, "dpm:schedule-remove nightly-shell");
        assertFalse(Container.shell(sessions, "dpm:schedule-list").contains("nightly-shell"));
    }

    /** The scenario type of this key in a GET /scenario-types answer, or null. */
    private static JsonNode typeOf(JsonNode types, String key) {
        for (JsonNode t : types) {
            if (t.get("key").asText().equals(key)) {
                return t;
            }
        }
        return null;
    }

    /**
     * SCN-2, EXE-6, EXE-7, CLI-1: the installed scenario types with their settings schemas as JSON objects, and the
     * steps and log of a finished execution, through REST and the shell.
     */
    @Test
    public void scenarioTypesWithTheirSchemasAndTheStepsAndLogOfAFinishedExecution() throws Exception {
        JsonNode types = ok(admin("GET", "scenario-types", null), 200);
        JsonNode disk = typeOf(types, "disk-check");
        assertTrue(types.toString(), disk != null);
        assertTrue(disk.get("needsDeployOs").asBoolean());
        assertEquals("org.opendpm.plugin.scenario.diskcheck", disk.get("bundle").asText());
        assertEquals("object", disk.get("settingsSchema").get("type").asText());
        assertFalse(disk.has("schemaError"));
        JsonNode fake = ok(admin("GET", "scenario-types/fake", null), 200);
        assertFalse(fake.get("needsDeployOs").asBoolean());
        assertEquals("command", fake.get("settingsSchema").get("required").get(0).asText());
        assertEquals(1024, fake.get("settingsSchema").get("properties").get("command").get("maxLength").asInt());
        assertTrue(typeOf(types, "fake-deployos").get("needsDeployOs").asBoolean());
        assertEquals("object", typeOf(types, "backup-restore").get("settingsSchema").get("type").asText());
        Rest.Response unknown = admin("GET", "scenario-types/no-such-type", null);
        assertEquals(unknown.body(), 404, unknown.status());
        assertTrue(unknown.body(), unknown.json().get("detail").asText().contains("'no-such-type'"));

        String mac = "02:57:00:00:00:01";
        long m = machine("steps01", mac, "");
        agent("steps01", mac, dir("steps01"));
        awaitAgent(m);
        long e = execute(scenario("Steps echo", "fake", "echo steps"), m).get(0);
        awaitExecution(e, "COMPLETED");

        JsonNode steps = ok(admin("GET", "executions/" + e + "/steps", null), 200);
        assertTrue(steps.toString(), steps.size() >= 1);
        boolean command = false;
        for (int i = 0; i < steps.size(); i++) {
            JsonNode step = steps.get(i);
            assertEquals(step.toString(), i + 1, step.get("number").asInt());
            assertEquals(step.toString(), "DONE", step.get("state").asText());
            assertTrue(step.toString(), step.get("startedAt").asText().endsWith("Z")
                    && step.get("endedAt").asText().endsWith("Z"));
            command |= step.get("executor").asText().equals("agent-command");
        }
        assertTrue(steps.toString(), command);
        // Log lines are written by the engine's loop once a second.
        Rest.awaitMillis(10_000, () -> ok(admin("GET", "executions/" + e + "/log", null), 200).toString()
                .contains("exit code 0"), "the command's exit code logged");
        Rest.Response noSuch = admin("GET", "executions/987654321/steps", null);
        assertEquals(noSuch.body(), 404, noSuch.status());
        assertEquals(404, admin("GET", "executions/987654321/log", null).status());
        assertEquals("id", admin("GET", "executions/x/steps", null).json().get("field").asText());

        String list = Container.shell(sessions, "dpm:scenario-type-list");
        assertTrue(list, list.contains("disk-check") && list.contains("Fake command")
                && list.contains("org.opendpm.plugin.scenario.fake"));
        String schema = Container.shell(sessions, "dpm:scenario-type-schema fake");
        assertTrue(schema, schema.contains("\"maxLength\" : 1024"));
        String shown = Container.shell(sessions, "dpm:execution-steps --log " + e);
        assertTrue(shown, shown.contains("COMPLETED") && shown.contains("DONE") && shown.contains("exit code 0"));
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    // ------------------------------------------------------------------------------------------------ packages

    /** dpm and dpkg-deb, which the package cases need: missing, they fail under CI and skip loudly elsewhere. */
    private static void requireDpkg() {
        for (String tool : List.of("dpkg", "dpkg-deb")) {
            boolean found = false;
            for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
                found |= !d.isEmpty() && Files.isExecutable(Path.of(d, tool));
            }
            if (!found) {
                String message = "ExecutionIT's package cases need " + tool + " (Debian package dpkg)";
                if ("true".equals(System.getenv("CI"))) {
                    org.junit.Assert.fail(message + ": install it (.ci/run does)");
                }
                System.err.println("SKIPPED: " + message + " is not installed");
                org.junit.Assume.assumeTrue(message, false);
            }
        }
    }

    /** A .deb without maintainer scripts installing one file, built with dpkg-deb. */
    private static byte[] deb(Path work, String name, String file) throws Exception {
        Path tree = work.resolve(name + "-tree");
        Files.createDirectories(tree.resolve("DEBIAN"));
        Files.writeString(tree.resolve("DEBIAN/control"), "Package: " + name + "\nVersion: 1.0\nArchitecture: all\n"
                + "Maintainer: OpenDPM tests <tests@opendpm.invalid>\nDescription: test\n");
        Path target = tree.resolve(file);
        Files.createDirectories(target.getParent());
        Files.writeString(target, name + "\n");
        Path deb = work.resolve(name + ".deb");
        Process p = new ProcessBuilder("dpkg-deb", "--root-owner-group", "--build", tree.toString(), deb.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue("dpkg-deb: " + out, p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0);
        return Files.readAllBytes(deb);
    }

    private long registerPackage(String json, String file, byte[] content) {
        long id = ok(admin("POST", "packages", json), 201).get("id").asLong();
        ok(rest.sendBytes("PUT", "packages/" + id + "/files/" + file, content, "admin", adminPassword), 201);
        return id;
    }

    private long packageScenario(String name, long... packageIds) {
        StringBuilder ids = new StringBuilder();
        for (long id : packageIds) {
            ids.append(ids.length() == 0 ? "" : ",").append(id);
        }
        long group = -1;
        for (JsonNode g : ok(admin("GET", "scenario-groups", null), 200)) {
            if (g.get("path").asText().equals("/exec")) {
                group = g.get("id").asLong();
            }
        }
        if (group < 0) {
            group = ok(admin("POST", "scenario-groups", "{\"path\":\"/exec\"}"), 201).get("id").asLong();
        }
        return ok(admin("POST", "scenarios", "{\"name\":\"" + name + "\",\"groupId\":" + group
                + ",\"tabs\":{\"package\":{\"packages\":[" + ids + "]}}}"), 201).get("id").asLong();
    }

    /**
     * PKG-1, PKG-2, EXE-11 with a real agent whose root folder is a throw-away one: a .deb patch built here is
     * installed by dpkg into it before an application whose script checks for the patch's file; a package whose
     * installer exits 1 fails its machine with the output's end; a package scenario queued for the next startup runs
     * when the agent comes back.
     */
    @Test
    public void packagesAreInstalledByTheRealAgentPatchesFirst_PKG2_EXE11() throws Exception {
        requireDpkg();
        Path work = dir("packages");
        Path root = Files.createDirectories(work.resolve("root"));
        Files.createDirectories(root.resolve("var/lib/dpkg/updates"));
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.writeString(root.resolve("var/lib/dpkg/status"), "");

        Rest.Response bad = admin("POST", "packages", "{\"name\":\"x\",\"kind\":\"HOTFIX\",\"urgency\":\"HIGH\","
                + "\"installer\":\"SCRIPT\",\"command\":\"setup.exe\"}");
        assertEquals(bad.body(), 400, bad.status());
        assertEquals("msNumber", bad.json().get("field").asText());

        long lib = registerPackage("{\"name\":\"odpm-lib\",\"kind\":\"LINUX_PATCH\",\"urgency\":\"HIGHEST\","
                + "\"installer\":\"DEB\"}", "odpm-lib_1.0_all.deb", deb(work, "odpm-lib", "opt/odpm-lib/lib.txt"));
        String check = "test -f " + root.resolve("opt/odpm-lib/lib.txt") + " || { echo 'patch missing'; exit 1; };"
                + " echo app > " + work.resolve("app-installed");
        long app = registerPackage("{\"name\":\"odpm-app\",\"kind\":\"APPLICATION\",\"displayName\":\"App\","
                + "\"urgency\":\"NORMAL\",\"installer\":\"SCRIPT\",\"command\":\"sh install.sh\"}", "install.sh",
                check.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long broken = registerPackage("{\"name\":\"odpm-broken\",\"kind\":\"APPLICATION\",\"packageId\":\"B1\","
                + "\"urgency\":\"LOW\",\"installer\":\"SCRIPT\",\"command\":\"sh install.sh\"}", "install.sh",
                "echo 'unpacking'; echo 'cannot write /opt/broken' >&2; exit 1\n"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));

        String mac = "02:ea:00:00:00:01";
        long m = machine("pkg01", mac, "");
        String jar = System.getProperty(Container.AGENT_JAR);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path state = work.resolve("state");
        List<String> command = List.of(java, "-jar", jar, "--server", "127.0.0.1:" + Integer.getInteger(
                Container.AGENT_PORT), "--state", state.toString(), "--mac", mac, "--name", "pkg01", "--root",
                root.toString());
        Files.createDirectories(state);
        Process agent = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(
                ProcessBuilder.Redirect.appendTo(work.resolve("agent.log").toFile())).start();
        agents.add(agent);
        awaitAgent(m);

        // The application is listed first; the patch is installed before it.
        long both = packageScenario("Patch and app", app, lib);
        long e = execute(both, m).get(0);
        JsonNode done = awaitExecution(e, "COMPLETED");
        JsonNode results = ok(admin("GET", "executions/" + e + "/packages", null), 200);
        assertEquals(results.toString(), 2, results.size());
        assertEquals("odpm-lib", results.get(0).get("packageName").asText());
        assertEquals("SUCCESS", results.get(0).get("outcome").asText());
        assertTrue(results.get(0).get("output").asText(), results.get(0).get("output").asText()
                .contains("Setting up odpm-lib (1.0)"));
        assertEquals("odpm-app", results.get(1).get("packageName").asText());
        assertEquals("SUCCESS", results.get(1).get("outcome").asText());
        assertTrue(done.toString(), Files.exists(work.resolve("app-installed")));
        assertTrue(Files.readString(root.resolve("var/lib/dpkg/status")).contains("Package: odpm-lib"));

        long failing = packageScenario("Broken package", broken);
        JsonNode failed = awaitExecution(execute(failing, m).get(0), "FAILED");
        String message = failed.get("message").asText();
        assertTrue(message, message.contains("Package odpm-broken failed on machine pkg01 with exit code 1"));
        assertTrue(message, message.contains("cannot write /opt/broken"));
        assertTrue(ok(admin("POST", "machines/" + m + "/remove-error", null), 200).get("removed").asBoolean());

        // EXE-11: queued, listed, cancellable; run when the agent next says hello.
        Files.delete(work.resolve("app-installed"));
        long only = packageScenario("App only", app);
        long entry = ok(admin("POST", "machines/" + m + "/next-startup", "{\"scenarioId\":" + only + "}"), 201)
                .get("id").asLong();
        long cancelled = ok(admin("POST", "machines/" + m + "/next-startup", "{\"scenarioId\":" + only + "}"), 201)
                .get("id").asLong();
        assertEquals(204, admin("DELETE", "machines/" + m + "/next-startup/" + cancelled, null).status());
        assertTrue(Container.shell(sessions, "dpm:next-startup-list pkg01").contains("App only"));
        assertTrue(Container.shell(sessions, "dpm:package-update --urgency highest --timeout 5 odpm-broken")
                .contains("Changed odpm-broken"));
        String listed = Container.shell(sessions, "dpm:package-list");
        assertTrue(listed, listed.contains("odpm-lib") && listed.contains("HIGHEST"));
        JsonNode pending = ok(admin("GET", "machines/" + m + "/next-startup", null), 200);
        assertEquals(pending.toString(), 1, pending.size());
        assertEquals(entry, pending.get(0).get("id").asLong());
        assertEquals(400, admin("POST", "machines/" + m + "/next-startup", "{\"scenarioId\":" + scenario("Quick",
                "fake", "true") + "}").status());

        agent.destroy();
        agent.waitFor(10, TimeUnit.SECONDS);
        Rest.awaitMillis(30_000, () -> agentOf(m) == null, "agent gone");
        agents.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(
                ProcessBuilder.Redirect.appendTo(work.resolve("agent.log").toFile())).start());
        Rest.awaitMillis(60_000, () -> Files.exists(work.resolve("app-installed")),
                "the queued scenario ran at the agent's hello");
        Rest.awaitMillis(30_000, () -> ok(admin("GET", "machines/" + m + "/next-startup", null), 200).size() == 0,
                "the queue drained");
    }

    /**
     * PKG-3 on the real distribution: two Package Web Servers served by python3's http.server on 127.0.0.1, the key
     * trusted in etc/opendpm/package-keys, a download on demand visits 0PackWS before packWS, registers both packages
     * and reports it; a tampered file in a changed index is refused and reported, and nothing of it is registered.
     */
    @Test
    public void packagesAreDownloadedFromSignedPackageWebServersInIdOrder_PKG3() throws Exception {
        boolean python;
        try {
            python = new ProcessBuilder("python3", "--version").start().waitFor() == 0;
        } catch (IOException e) {
            python = false;
        }
        if (!python) {
            String message = "ExecutionIT's Package Web Server case needs python3 (Debian package python3)";
            if ("true".equals(System.getenv("CI"))) {
                org.junit.Assert.fail(message);
            }
            System.err.println("SKIPPED: " + message + " is not installed");
            org.junit.Assume.assumeTrue(message, false);
        }
        Path www = dir("package-web");
        java.security.KeyPair key = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path keys = Files.createDirectories(Path.of(System.getProperty("karaf.etc"), "opendpm", "package-keys"));
        Files.writeString(keys.resolve("itest.pem"), "-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getEncoder()
                .encodeToString(key.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        publish(www.resolve("a"), key, "from-packWS", "p.deb", "p");
        publish(www.resolve("b"), key, "from-0PackWS", "z.deb", "z");
        int port = Distribution.freePort();
        Process http = new ProcessBuilder("python3", "-m", "http.server", "--bind", "127.0.0.1", String.valueOf(port),
                "--directory", www.toString()).redirectErrorStream(true)
                .redirectOutput(www.resolveSibling("package-web.log").toFile()).start();
        agents.add(http);
        Rest.awaitMillis(20_000, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        }, "python3 http.server listening");
        String base = "http://127.0.0.1:" + port + "/";
        ok(admin("POST", "package-web-servers", "{\"id\":\"packWS\",\"url\":\"" + base + "a/\"}"), 201);
        ok(admin("POST", "package-web-servers", "{\"id\":\"0PackWS\",\"url\":\"" + base + "b/\"}"), 201);
        assertEquals(400, admin("POST", "package-web-servers", "{\"id\":\"pack-WS\",\"url\":\"" + base + "\"}")
                .status());

        ok(admin("POST", "package-download/now", null), 202);
        Rest.awaitMillis(60_000, () -> admin("GET", "package-download/latest", null).status() == 200
                && !ok(admin("GET", "package-download", null), 200).get("downloading").asBoolean(), "download ended");
        JsonNode latest = ok(admin("GET", "package-download/latest", null), 200);
        assertTrue(latest.toString(), latest.get("success").asBoolean());
        assertEquals("[\"from-0PackWS\",\"from-packWS\"]", latest.get("added").toString());
        String listed = Container.shell(sessions, "dpm:package-server-list");
        assertTrue(listed, listed.indexOf("0PackWS") < listed.indexOf("packWS ") && listed.contains("success"));

        String sha = publish(www.resolve("a"), key, "from-packWS-2", "q.deb", "q");
        Files.writeString(www.resolve("a").resolve("files").resolve(sha), "tampered");
        assertTrue(Container.shell(sessions, "dpm:package-server-download").contains("Download started"));
        Rest.awaitMillis(60_000, () -> !ok(admin("GET", "package-download", null), 200).get("downloading")
                .asBoolean() && !ok(admin("GET", "package-download/latest", null), 200).get("success").asBoolean(),
                "the tampered download ended");
        JsonNode server = ok(admin("GET", "package-web-servers/packWS", null), 200).get("latest");
        assertFalse(server.toString(), server.get("success").asBoolean());
        assertTrue(server.toString(), server.get("message").asText().contains("q.deb"));
        assertTrue(Container.shell(sessions, "dpm:package-server-latest packWS").contains("FAILED"));
        assertFalse(Container.shell(sessions, "dpm:package-list").contains("from-packWS-2"));
    }

    /** Writes a one-package repository (index, files/<sha256>) signed with the key; returns the file's SHA-256. */
    private static String publish(Path repo, java.security.KeyPair key, String name, String file, String content)
            throws Exception {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String sha = sha256(bytes);
        Files.createDirectories(repo.resolve("files"));
        Files.write(repo.resolve("files").resolve(sha), bytes);
        byte[] index = ("{\"format\": 1, \"packages\": [{\"name\": \"" + name + "\", \"kind\": \"LINUX_PATCH\","
                + " \"urgency\": \"HIGH\", \"installer\": \"DEB\", \"files\": [{\"name\": \"" + file + "\", \"size\": "
                + bytes.length + ", \"sha256\": \"" + sha + "\"}]}]}").getBytes(StandardCharsets.UTF_8);
        java.security.Signature signer = java.security.Signature.getInstance("Ed25519");
        signer.initSign(key.getPrivate());
        signer.update(index);
        Files.write(repo.resolve("index.json"), index);
        Files.write(repo.resolve("index.json.sig"), signer.sign());
        return sha;
    }
}
