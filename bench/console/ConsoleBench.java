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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console with 40,000 machines in one group, in headless Chromium (Debian's chromium and chromedriver,
 * through Selenium), against a server started by run.sh:
 * 1. 40,000 machines imported into /console-bench (CSV), the first 1,000 with the MACs of the simulated agents;
 * 2. first rows painted: from the click on the group in the tree to the frame after the first rows are in the page
 *    (performance.now() in the page, a requestAnimationFrame then a task so the frame has been produced), 5 times;
 * 3. scrolling: the list scrolled by 600 px per frame for 400 frames, then 30 jumps to random places; frame times
 *    (requestAnimationFrame deltas), long tasks (PerformanceObserver 'longtask'), and how many frames showed rows
 *    still being read;
 * 4. 1,000 executions of a 20-step fake scenario on the 1,000 agent machines, with the Monitor view open (every
 *    execution a row) and then the machine list (progress column): frame times while the executions run and the
 *    server sends their progress, and how many execution events the page received.
 * Usage: java -cp SELENIUM_CLASSPATH ConsoleBench.java BASE USER PASSWORD AGENT_JAR HOST:PORT STATE_DIR
 */
public class ConsoleBench {

    static final int MACHINES = 40_000;
    static final int AGENTS = 1_000;
    static final int STEPS = 20;
    static HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static String base;
    static String auth;
    static WebDriver browser;

    public static void main(String[] args) throws Exception {
        String root = args[0];
        base = root + "/opendpm/api/v1/";
        auth = "Basic " + Base64.getEncoder().encodeToString((args[1] + ":" + args[2]).getBytes(
                StandardCharsets.UTF_8));
        String agentJar = args[3];
        String server = args[4];
        Path state = Path.of(args[5]);

        StringBuilder csv = new StringBuilder("group_path,name,macs,uuid,ip,model,deploy_os\n");
        for (int i = 0; i < MACHINES; i++) {
            csv.append(String.format("/console-bench,bench-%05d,%s,,,Model %d,%n", i, mac(i), i % 7));
        }
        long t0 = System.nanoTime();
        expect(send("POST", "machines/import", csv.toString(), "text/csv"), 200);
        System.out.printf("import: %d machines into one group in %.1f s%n", MACHINES, (System.nanoTime() - t0) / 1e9);
        long group = id(expect(send("GET", "groups/by-path?path=/console-bench", null, null), 200));
        long other = id(expect(send("POST", "groups", "{\"path\":\"/console-bench-empty\"}", "application/json"),
                201));

        System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800",
                "--user-data-dir=" + Files.createTempDirectory(state.getParent(), "chromium"));
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File(
                "/usr/bin/chromedriver")).usingAnyFreePort().build(), options);
        Process agents = null;
        try {
            signIn(root, args[1], args[2]);
            firstRows(group, other);
            scrolling();

            Files.createDirectories(state);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            agents = new ProcessBuilder(java, "-Xss256k", "-Xmx512m", "-jar", agentJar, "--server", server, "--state",
                    state.toString(), "--mac", mac(0), "--simulate", "" + AGENTS, "--simulate-rate", "400")
                    .redirectErrorStream(true).redirectOutput(state.resolve("agents.log").toFile()).start();
            long c0 = System.nanoTime();
            while (intField(expect(send("GET", "agent-link", null, null), 200), "connectedAgents") < AGENTS) {
                check(agents.isAlive(), "the load generator died; see " + state.resolve("agents.log"));
                check(System.nanoTime() - c0 < TimeUnit.MINUTES.toNanos(5), "agents not connected after 5 min");
                Thread.sleep(500);
            }
            executions(group);
        } finally {
            browser.quit();
            if (agents != null) {
                agents.destroy();
            }
        }
    }

    static void signIn(String root, String user, String password) {
        browser.get(root + "/opendpm/console/");
        wait(30).until(d -> !d.findElements(By.id("login-user")).isEmpty());
        browser.findElement(By.id("login-user")).sendKeys(user);
        browser.findElement(By.id("login-password")).sendKeys(password);
        browser.findElement(By.id("login-submit")).click();
        wait(30).until(d -> !d.findElements(By.cssSelector("button.tree-item")).isEmpty());
    }

    static WebDriverWait wait(int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds));
    }

    static Object script(String js, Object... args) {
        return ((JavascriptExecutor) browser).executeAsyncScript(js, args);
    }

    /** Click on the group to the frame after its first rows are in the page, each after another group was shown. */
    static void firstRows(long group, long other) {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            wait(30).until(d -> !d.findElements(By.cssSelector("button.tree-item[data-group='" + group + "']"))
                    .isEmpty());
            browser.findElement(By.cssSelector("button.tree-item[data-group='" + other + "']")).click();
            wait(30).until(d -> d.findElement(By.id("machine-range")).getText().startsWith("0 machine"));
            Object ms = script("""
                    const [id, done] = arguments;
                    const t0 = performance.now();
                    document.querySelector(`button.tree-item[data-group='${id}']`).click();
                    const check = () => {
                      if (document.querySelector('tr[data-machine]')) {
                        requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0)));
                      } else {
                        requestAnimationFrame(check);
                      }
                    };
                    check();""", group);
            times.add(((Number) ms).doubleValue());
        }
        String range = browser.findElement(By.id("machine-range")).getText();
        check(range.startsWith(MACHINES + " machine"), "the list says: " + range);
        int rows = browser.findElements(By.cssSelector("tr[data-machine]")).size();
        System.out.printf("first rows painted after the click: %s ms (median %.0f ms, max %.0f ms); %d rows in the"
                + " page for %d machines%n", fmt(times), percentile(times, 50), percentile(times, 100), rows,
                MACHINES);
    }

    /** Frame-time probe: rAF deltas and long tasks from now until stopped. */
    static final String PROBE_START = """
            window.benchFrames = []; window.benchLong = []; window.benchBlank = 0; window.benchRun = true;
            let last = performance.now();
            const tick = (t) => {
              window.benchFrames.push(t - last); last = t;
              if (document.querySelector('tr.loading-row')) window.benchBlank++;
              if (window.benchRun) requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
            window.benchObserver = new PerformanceObserver((l) => l.getEntries().forEach(
                (e) => window.benchLong.push(e.duration)));
            window.benchObserver.observe({entryTypes: ['longtask']});
            """;

    @SuppressWarnings("unchecked")
    static Map<String, Object> probeStop() {
        return (Map<String, Object>) script("""
                const done = arguments[0];
                window.benchRun = false; window.benchObserver.disconnect();
                setTimeout(() => done({frames: window.benchFrames.slice(1), long: window.benchLong,
                    blank: window.benchBlank}), 50);""");
    }

    static void report(String what, Map<String, Object> probe) {
        List<Double> frames = numbers(probe.get("frames"));
        List<Double> longTasks = numbers(probe.get("long"));
        System.out.printf("%s: %d frames, frame time p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms; %d long"
                + " tasks (> 50 ms), longest %.0f ms; %s frames showed rows still being read%n", what, frames.size(),
                percentile(frames, 50), percentile(frames, 95), percentile(frames, 99), percentile(frames, 100),
                longTasks.size(), longTasks.isEmpty() ? 0 : percentile(longTasks, 100), probe.get("blank"));
    }

    static void scrolling() {
        ((JavascriptExecutor) browser).executeScript(PROBE_START);
        script("""
                const done = arguments[0];
                const s = document.querySelector('.vscroll');
                let n = 0;
                const step = () => {
                  if (n < 400) { s.scrollTop += 600; n++; requestAnimationFrame(step); }
                  else if (n < 430) { s.scrollTop = Math.floor(Math.random() * s.scrollHeight); n++;
                    setTimeout(() => requestAnimationFrame(step), 250); }
                  else setTimeout(done, 1000);
                };
                requestAnimationFrame(step);""");
        report("scrolling 40,000 machines (400 frames of 600 px, 30 random jumps)", probeStop());
        String range = browser.findElement(By.id("machine-range")).getText();
        check(!browser.findElements(By.cssSelector("tr[data-machine]")).isEmpty(), "no rows after scrolling: "
                + range);
    }

    static void executions(long group) throws Exception {
        expect(send("PATCH", "settings", "{\"machinesForSimultaneousExecution\": 1000}", "application/json"), 200);
        long sg = id(expect(send("POST", "scenario-groups", "{\"path\":\"/console-bench\"}", "application/json"),
                201));
        long scenario = id(expect(send("POST", "scenarios", "{\"name\":\"twenty steps\",\"groupId\":" + sg
                + ",\"tabs\":{\"fake\":{\"command\":\"true\",\"repeat\":" + STEPS + "}}}", "application/json"), 201));
        List<Long> ids = new ArrayList<>();
        Matcher m = Pattern.compile("\\{\"id\":(\\d+),\"name\":\"bench-\\d+\"").matcher(expect(send("GET",
                "machines?group=" + group + "&limit=" + AGENTS, null, null), 200));
        while (m.find()) {
            ids.add(Long.parseLong(m.group(1)));
        }
        check(ids.size() == AGENTS, ids.size() + " agent machines");
        String body = "{\"scenarioId\":" + scenario + ",\"machineIds\":" + ids + "}";
        for (String view : List.of("monitor", "operations")) {
            if (view.equals("monitor")) {
                browser.findElement(By.id("nav-monitor")).click();
                wait(30).until(d -> d.findElement(By.id("stream-state")).getText().equals("live"));
            } else {
                browser.findElement(By.id("nav-operations")).click();
                wait(30).until(d -> !d.findElements(By.cssSelector("button.tree-item[data-group='" + group + "']"))
                        .isEmpty());
                browser.findElement(By.cssSelector("button.tree-item[data-group='" + group + "']")).click();
                wait(30).until(d -> !d.findElements(By.cssSelector("tr[data-machine]")).isEmpty());
            }
            // Counts what the page receives on a stream of its own, as the view's.
            ((JavascriptExecutor) browser).executeScript("""
                    window.benchEvents = 0;
                    window.benchSource = new EventSource('/opendpm/api/v1/executions/events');
                    window.benchSource.addEventListener('execution', () => window.benchEvents++);""");
            ((JavascriptExecutor) browser).executeScript(PROBE_START);
            long e0 = System.nanoTime();
            expect(send("POST", "executions", body, "application/json"), 201);
            int maxRows = 0;
            int failedPolls = 0;
            while (true) {
                Thread.sleep(1000);
                HttpResponse<String> r = send("GET", "executions", null, null);
                if (r.statusCode() == 500 && ++failedPolls <= 10) {
                    // Reported below: the list failed while the executions changed under it.
                    continue;
                }
                String list = expect(r, 200);
                if (!list.contains("\"state\":\"RUNNING\"") && !list.contains("\"state\":\"WAITING\"")) {
                    break;
                }
                check(System.nanoTime() - e0 < TimeUnit.MINUTES.toNanos(10), "executions still running after 10 min");
                if (view.equals("monitor")) {
                    maxRows = Math.max(maxRows, ((Number) ((JavascriptExecutor) browser).executeScript(
                            "return document.querySelectorAll('tr[data-execution]').length")).intValue());
                }
            }
            double seconds = (System.nanoTime() - e0) / 1e9;
            Thread.sleep(2000);
            Map<String, Object> probe = probeStop();
            Object events = ((JavascriptExecutor) browser).executeScript(
                    "window.benchSource.close(); return window.benchEvents");
            report(String.format("%s view, %d executions of %d steps (%.1f s, %s execution events%s%s)", view,
                    AGENTS, STEPS, seconds, events, view.equals("monitor") ? ", up to " + maxRows + " rows at once" : "",
                    failedPolls == 0 ? "" : "; GET /executions answered 500 " + failedPolls + " times"), probe);
        }
    }

    static List<Double> numbers(Object list) {
        List<Double> out = new ArrayList<>();
        for (Object o : (List<?>) list) {
            out.add(((Number) o).doubleValue());
        }
        return out;
    }

    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int i = (int) Math.ceil(p / 100 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    static String fmt(List<Double> values) {
        return values.stream().map(v -> String.format("%.0f", v)).toList().toString();
    }

    static String mac(int i) {
        return String.format("02:b0:00:%02x:%02x:%02x", i >> 16 & 255, i >> 8 & 255, i & 255);
    }

    static long id(String json) {
        return Long.parseLong(field(json, "id"));
    }

    static int intField(String json, String name) {
        return Integer.parseInt(field(json, name));
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        check(m.find(), "no " + name + " in " + json);
        return m.group(1);
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }

    static HttpResponse<String> send(String method, String path, String body, String type) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5))
                .header("Authorization", auth);
        if (type != null) {
            b.header("Content-Type", type);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String expect(HttpResponse<String> r, int status) {
        check(r.statusCode() == status, r.request().method() + " " + r.uri() + ": " + r.statusCode() + " "
                + r.body());
        return r.body();
    }
}
