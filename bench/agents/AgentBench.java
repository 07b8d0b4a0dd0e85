import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent link under load, against a server started by run.sh:
 * 1. N machines imported (CSV) with the MACs the simulated agents will report;
 * 2. server heap (after a full GC, from jcmd) before and after N agents connect: bytes per connected agent;
 * 3. server CPU (utime+stime from /proc) over 60 s while the agents only send heartbeats;
 * 4. one scenario of STEPS agent commands (the fake tab's {@code repeat}) executed on all N with 1,000 machines at a
 *    time: executions and steps per second from the request to the last result, and every result checked COMPLETED
 *    with STEPS steps; server heap (after a full GC) before the request and with the N results stored;
 * 5. the same scenario once more on all N, for the heap after a full GC right after the request was accepted (its
 *    executions in flight: at most 1,000 running, the rest waiting), and again checked COMPLETED.
 * Usage: java AgentBench.java BASE USER PASSWORD N SERVER_PID AGENT_JAR HOST:PORT STATE_DIR [STEPS]
 */
public class AgentBench {

    static HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static String base;
    static String auth;

    public static void main(String[] args) throws Exception {
        base = args[0] + "/opendpm/api/v1/";
        auth = "Basic " + Base64.getEncoder().encodeToString((args[1] + ":" + args[2]).getBytes(StandardCharsets.UTF_8));
        int n = Integer.parseInt(args[3]);
        long serverPid = Long.parseLong(args[4]);
        String agentJar = args[5];
        String server = args[6];
        Path state = Path.of(args[7]);
        int steps = args.length > 8 ? Integer.parseInt(args[8]) : 1;

        StringBuilder csv = new StringBuilder("group_path,name,macs,uuid,ip,model,deploy_os\n");
        for (int i = 0; i < n; i++) {
            csv.append(String.format("/agents,agent-%05d,%s,,,,%n", i, mac(i)));
        }
        expect(send("POST", "machines/import", "text/csv", csv.toString()), 200);
        List<Long> ids = new ArrayList<>();
        Pattern idName = Pattern.compile("\\{\"id\":(\\d+),\"name\":\"agent-\\d+\"");
        for (int offset = 0; offset < n; offset += 1000) {
            Matcher m = idName.matcher(expect(send("GET", "machines?groupPath=/agents&offset=" + offset
                    + "&limit=1000", null, null), 200));
            while (m.find()) {
                ids.add(Long.parseLong(m.group(1)));
            }
        }
        check(ids.size() == n, "imported " + ids.size() + " of " + n + " machines");

        long heapBefore = usedHeapAfterGc(serverPid);
        Files.createDirectories(state);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process agents = new ProcessBuilder(java, "-Xss256k", "-Xmx512m", "-jar", agentJar, "--server", server,
                "--state", state.toString(), "--mac", mac(0), "--simulate", "" + n, "--simulate-rate", "400")
                .redirectErrorStream(true).redirectOutput(state.resolve("agents.log").toFile()).start();
        try {
            long t0 = System.nanoTime();
            int connected = 0;
            while (connected < n) {
                check(agents.isAlive(), "the load generator died; see " + state.resolve("agents.log"));
                check(System.nanoTime() - t0 < TimeUnit.MINUTES.toNanos(5), connected + " of " + n
                        + " agents connected after 5 minutes");
                Thread.sleep(500);
                connected = intField(expect(send("GET", "agent-link", null, null), 200), "connectedAgents");
            }
            double connectS = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(5000);
            long heapAfter = usedHeapAfterGc(serverPid);
            System.out.printf("connect: %d agents (TCP+TLS, registration then hello) in %.1f s%n", n, connectS);
            System.out.printf("heap: %.1f MiB before, %.1f MiB with %d agents: %.1f KiB per connected agent%n",
                    heapBefore / 1048576.0, heapAfter / 1048576.0, n, (heapAfter - heapBefore) / 1024.0 / n);

            long cpu0 = cpuTicks(serverPid);
            long w0 = System.nanoTime();
            Thread.sleep(60_000);
            double cpuS = (cpuTicks(serverPid) - cpu0) / 100.0;
            double wallS = (System.nanoTime() - w0) / 1e9;
            System.out.printf("idle: server CPU %.2f%% of one core over %.0f s with %d agents heartbeating%n",
                    100 * cpuS / wallS, wallS, n);

            expect(send("PATCH", "settings", "application/json", "{\"machinesForSimultaneousExecution\": 1000}"),
                    200);
            String group = expect(send("POST", "scenario-groups", "application/json", "{\"path\":\"/bench\"}"),
                    201);
            long groupId = longField(group, "id");
            String tab = steps == 1 ? "{\"command\":\"true\"}" : "{\"command\":\"true\",\"repeat\":" + steps + "}";
            long scenario = longField(expect(send("POST", "scenarios", "application/json", "{\"name\":\"trivial\","
                    + "\"groupId\":" + groupId + ",\"tabs\":{\"fake\":" + tab + "}}"), 201), "id");
            StringBuilder body = new StringBuilder("{\"scenarioId\":" + scenario + ",\"machineIds\":[");
            for (int i = 0; i < ids.size(); i++) {
                body.append(i == 0 ? "" : ",").append(ids.get(i));
            }
            body.append("]}");
            long heapIdle = usedHeapAfterGc(serverPid);
            String load0 = loadAverage();
            long e0 = System.nanoTime();
            expect(send("POST", "executions", "application/json", body.toString()), 201);
            double requestS = (System.nanoTime() - e0) / 1e9;
            awaitNoneActive(e0);
            double execS = (System.nanoTime() - e0) / 1e9;
            String load1 = loadAverage();
            checkResults(scenario, n, steps, n);
            long heapResults = usedHeapAfterGc(serverPid);
            System.out.printf("execute: %d executions of %d agent command(s) each, all COMPLETED, in %.1f s (request "
                    + "accepted in %.2f s): %.0f executions/s, %.0f steps/s end to end (load average %s before, %s "
                    + "after)%n", n, steps, execS, requestS, n / execS, (double) n * steps / execS, load0, load1);
            System.out.printf("heap: %.1f MiB before the request, %.1f MiB with %d results stored: %.2f KiB per "
                    + "finished execution%n", heapIdle / 1048576.0, heapResults / 1048576.0, n,
                    (heapResults - heapIdle) / 1024.0 / n);

            long e1 = System.nanoTime();
            expect(send("POST", "executions", "application/json", body.toString()), 201);
            long heapInFlight = usedHeapAfterGc(serverPid);
            double inFlightAtS = (System.nanoTime() - e1) / 1e9;
            int active = count(expect(send("GET", "executions", null, null), 200), "\"state\":\"RUNNING\"");
            awaitNoneActive(e1);
            checkResults(scenario, n, steps, 2 * n);
            long heapTwice = usedHeapAfterGc(serverPid);
            System.out.printf("heap in flight (second round, GC %.1f s after the request; %d running just after): "
                    + "%.1f MiB, %.2f KiB per accepted execution over the %.1f MiB with %d results; %.1f MiB with %d "
                    + "results%n", inFlightAtS, active, heapInFlight / 1048576.0,
                    (heapInFlight - heapResults) / 1024.0 / n, heapResults / 1048576.0, n, heapTwice / 1048576.0,
                    2 * n);
        } finally {
            agents.destroy();
            agents.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static void awaitNoneActive(long since) throws Exception {
        while (!expect(send("GET", "executions", null, null), 200).equals("[]")) {
            check(System.nanoTime() - since < TimeUnit.MINUTES.toNanos(10), "executions still active after 10 min");
            Thread.sleep(100);
        }
    }

    /** Every result of the scenario COMPLETED with its steps; on a failure, what the first few say. */
    static void checkResults(long scenario, int n, int steps, int expected) throws Exception {
        int completed = 0;
        int total = 0;
        List<String> other = new ArrayList<>();
        Pattern state = Pattern.compile("\\{[^{}]*\"state\":\"([A-Z_]+)\"[^{}]*\\}");
        for (int offset = 0; offset < expected; offset += 1000) {
            Matcher m = state.matcher(expect(send("GET", "results?scenarioId=" + scenario + "&offset=" + offset
                    + "&limit=1000", null, null), 200));
            while (m.find()) {
                total++;
                if (m.group(1).equals("COMPLETED") && m.group().contains("\"steps\":" + steps + ",")) {
                    completed++;
                } else if (other.size() < 3) {
                    other.add(m.group());
                }
            }
        }
        check(total == expected && completed == expected, completed + " of " + total + " results (" + expected
                + " expected) COMPLETED with " + steps + " steps; others: " + other);
    }

    static String loadAverage() throws Exception {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    static String mac(int i) {
        return String.format("02:b0:00:00:%02x:%02x", i >> 8 & 255, i & 255);
    }

    static long usedHeapAfterGc(long pid) throws Exception {
        run("jcmd", "" + pid, "GC.run");
        String info = run("jcmd", "" + pid, "GC.heap_info");
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
        check(m.find(), "no heap figure in: " + info);
        return Long.parseLong(m.group(1)) * 1024;
    }

    static long cpuTicks(long pid) throws Exception {
        String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).split("\\) ")[1].split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        check(p.waitFor() == 0, String.join(" ", cmd) + ": " + out);
        return out;
    }

    static HttpResponse<String> send(String method, String path, String type, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
                .header("Authorization", auth)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String expect(HttpResponse<String> r, int status) {
        check(r.statusCode() == status, r.request().method() + " " + r.uri() + " -> " + r.statusCode() + " "
                + r.body().substring(0, Math.min(500, r.body().length())));
        return r.body();
    }

    static int intField(String json, String field) {
        return (int) longField(json, field);
    }

    static long longField(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        check(m.find(), "no " + field + " in " + json);
        return Long.parseLong(m.group(1));
    }

    static int count(String s, String part) {
        int c = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            c++;
        }
        return c;
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }
}
