package org.opendpm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The web console in a real browser (Debian's chromium, headless, driven by Selenium through chromedriver) against
 * the distribution started once as an administrator runs it: sign-in through the realm (a wrong password refused,
 * the sixth fast retry throttled), the session cookie's flags, CSRF refusal, a viewer who sees no change buttons and
 * whose forged change the server refuses, a New machine registered with the server's field errors shown on the
 * fields, an execution's progress and result arriving without a reload (EXE-6) and shown in the machine list after an
 * Execute from it, a scenario edited on a tab drawn from its plugin's schema with the server's field error on its
 * field (SCN-2), a plugin uninstalled turning its scenarios "plugin unavailable" on the open page, the machine list
 * sorted by the server with bulk Assign, and the Management views. Screenshots of the views go to
 * {@code target/console-screenshots}.
 */
public class ConsoleIT {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final String ADMIN_PASSWORD = "console-itest-admin-password";
    private static final String VIEWER_PASSWORD = "console-itest-viewer-password";
    private static final Path SHOTS = Path.of("target", "console-screenshots").toAbsolutePath();

    private static Process server;
    private static Path home;
    private static int port;
    private static Rest rest;
    private static WebDriver browser;
    private static final List<Process> agents = new ArrayList<>();

    @BeforeClass
    public static void startServerAndBrowser() throws Exception {
        boolean present = new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute();
        if (!present) {
            String why = "ConsoleIT needs " + CHROMIUM + " and " + CHROMEDRIVER + " (Debian: apt-get install chromium"
                    + " chromium-driver)";
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError(why);
            }
            System.err.println("SKIPPED: " + why);
            Assume.assumeTrue(why, false);
        }
        var unpacked = Distribution.unpack("console");
        home = unpacked.getKey();
        port = unpacked.getValue();
        // A longer first delay so that "the sixth fast retry" is throttled however slow this machine's browser is.
        Distribution.setKey(home.resolve("etc/org.opendpm.security.cfg"), "initialDelaySeconds", "30");
        rest = new Rest(port);
        server = Distribution.start(home, Map.of("OPENDPM_ADMIN_PASSWORD", ADMIN_PASSWORD));
        Distribution.awaitUp(rest, home);
        Files.createDirectories(SHOTS);

        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800",
                "--user-data-dir=" + Files.createTempDirectory("console-it-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().withLogFile(SHOTS.resolve("chromedriver.log").toFile()).build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1280, 800));
    }

    @AfterClass
    public static void stopEverything() {
        agents.forEach(Process::destroyForcibly);
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            Distribution.stop(server);
        }
    }

    private static Rest.Response admin(String method, String path, String json) {
        return rest.send(method, path, json, "admin", ADMIN_PASSWORD);
    }

    private static JsonNode ok(Rest.Response r, int status) {
        assertEquals(r.body(), status, r.status());
        return r.body().isEmpty() ? null : r.json();
    }

    private static String console() {
        return "http://127.0.0.1:" + port + "/opendpm/console/";
    }

    private static WebDriverWait waiting(int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds));
    }

    private static WebElement visible(String css) {
        return waiting(20).until(d -> {
            var found = d.findElements(By.cssSelector(css));
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
    }

    /** A fresh page without a session: the sign-in form. */
    private static void signedOut() {
        browser.get(console());
        browser.manage().deleteAllCookies();
        browser.get(console());
        visible("#login-user");
    }

    private static void typeSignIn(String user, String password) {
        WebElement name = visible("#login-user");
        name.clear();
        name.sendKeys(user);
        WebElement pw = browser.findElement(By.id("login-password"));
        pw.clear();
        pw.sendKeys(password);
        browser.findElement(By.id("login-submit")).click();
    }

    private static void signIn(String user, String password) {
        signedOut();
        typeSignIn(user, password);
        waiting(20).until(d -> d.findElement(By.id("who")).getText().startsWith(user + " "));
    }

    private static String loginError() {
        return waiting(20).until(d -> {
            String text = d.findElement(By.id("login-error")).getText();
            return text.isBlank() ? null : text;
        });
    }

    private static void shot(String name) throws IOException {
        Path png = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Runs fetch() in the page with its session cookie; returns the HTTP status. */
    private static long fetchFromPage(String method, String path, String json, String csrfToken) {
        Object status = ((JavascriptExecutor) browser).executeAsyncScript("""
                const [method, path, body, token, done] = arguments;
                // As the console's own requests: a 401 then opens no browser sign-in dialog.
                const headers = {'Content-Type': 'application/json', 'X-Requested-With': 'opendpm-itest'};
                if (token) headers['X-CSRF-Token'] = token;
                fetch('/opendpm/api/v1/' + path, {method, headers, body, credentials: 'same-origin'})
                    .then(r => done(r.status), e => done(-1));""", method, path, json, csrfToken);
        return (Long) status;
    }

    /** The CSRF token of the page's session, as the console itself reads it. */
    private static String csrfTokenOfPage() {
        return (String) ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[0];
                fetch('/opendpm/api/v1/session', {credentials: 'same-origin'}).then(r => r.json())
                    .then(s => done(s.csrfToken), e => done(null));""");
    }

    private static long group(String path) {
        for (JsonNode g : ok(admin("GET", "groups", null), 200)) {
            if (g.get("path").asText().equals(path)) {
                return g.get("id").asLong();
            }
        }
        return ok(admin("POST", "groups", "{\"path\":\"" + path + "\"}"), 201).get("id").asLong();
    }

    private static long scenarioGroup(String path) {
        return ok(admin("POST", "scenario-groups", "{\"path\":\"" + path + "\"}"), 201).get("id").asLong();
    }

    private static void fakeScenarioTypeInstalled() throws Exception {
        Distribution.client(home, ADMIN_PASSWORD, "feature:install opendpm-plugin-scenario-fake");
        Rest.awaitMillis(30_000, () -> admin("GET", "scenario-types", null).body().contains("\"fake\""),
                "fake scenario type registered");
    }

    private static String text(String css) {
        return waiting(20).until(d -> {
            String t = d.findElement(By.cssSelector(css)).getText();
            return t.isBlank() ? null : t;
        });
    }

    @Test
    public void scn2AScenarioIsEditedOnItsPluginsTabWithTheServersFieldErrorOnItsField() throws Exception {
        fakeScenarioTypeInstalled();
        long sg = scenarioGroup("/editor");
        signIn("admin", ADMIN_PASSWORD);
        visible("button.tree-item[data-scenario-group='" + sg + "']").click();
        visible("#new-scenario").click();
        visible("#scenario-name").sendKeys("Echo three times");
        // The tab is drawn from the fake type's schema: its fields, titles and limits come from the server.
        browser.findElement(By.id("scenario-tab-fake")).click();
        assertEquals("Command", visible("label[for='tab-fake-command']").getText().replace("*", "").strip());
        assertEquals("20", browser.findElement(By.id("tab-fake-repeat")).getAttribute("max"));
        // Blank passes the page (the plugin decides) and the plugin refuses it: tabs.fake.command.
        visible("#tab-fake-command").sendKeys(" ");
        browser.findElement(By.id("scenario-save")).click();
        String error = text("#tab-fake-command-error");
        assertTrue(error, error.contains("blank"));
        assertEquals("true", browser.findElement(By.id("tab-fake-command")).getAttribute("aria-invalid"));
        assertEquals("true", browser.findElement(By.id("scenario-tab-fake")).getAttribute("aria-selected"));
        shot("scenario-editor-field-error");

        WebElement command = browser.findElement(By.id("tab-fake-command"));
        command.clear();
        command.sendKeys("echo hello");
        WebElement repeat = browser.findElement(By.id("tab-fake-repeat"));
        repeat.clear();
        repeat.sendKeys("3");
        browser.findElement(By.id("scenario-save")).click();
        waiting(20).until(d -> d.findElement(By.id("scenarios-message")).getText().contains(
                "Echo three times saved"));
        JsonNode scenarios = ok(admin("GET", "scenarios?group=" + sg, null), 200);
        assertEquals(1, scenarios.size());
        JsonNode fake = scenarios.get(0).get("tabs").get("fake");
        assertEquals("echo hello", fake.get("command").asText());
        assertTrue(fake.toString(), fake.get("repeat").isInt());
        assertEquals(3, fake.get("repeat").asInt());
        shot("scenario-editor");
        long scenario = scenarios.get(0).get("id").asLong();

        // The machine list: sorted by the server, several ticked, the scenario assigned to them from the list.
        long g = group("/assign");
        for (String[] m : new String[][]{ { "assign-a", "10.0.0.3" }, { "assign-b", "10.0.0.1" },
                { "assign-c", "10.0.0.2" } }) {
            ok(admin("POST", "machines", "{\"groupId\":" + g + ",\"name\":\"" + m[0] + "\",\"ip\":\"" + m[1]
                    + "\",\"macs\":[\"02:c0:00:00:03:0" + m[0].charAt(7) + "\"]}"), 201);
        }
        browser.navigate().refresh();
        visible("button.tree-item[data-group='" + g + "']").click();
        waiting(20).until(d -> d.findElements(By.cssSelector("tr[data-machine]")).size() == 3);
        visible("button.sort[data-sort='ip']").click();
        waiting(20).until(d -> firstMachine().equals("assign-b"));
        visible("button.sort[data-sort='ip']").click();
        waiting(20).until(d -> firstMachine().equals("assign-a"));
        for (WebElement box : browser.findElements(By.cssSelector("tr[data-machine] input[type=checkbox]"))) {
            box.click();
        }
        new Select(browser.findElement(By.id("bulk-scenario"))).selectByValue(
                String.valueOf(scenario));
        browser.findElement(By.id("bulk-assign")).click();
        waiting(20).until(d -> d.findElements(By.cssSelector("tr[data-machine] td.assigned")).stream().filter(
                c -> c.getText().equals("Echo three times")).count() == 3);
        assertEquals(3, ok(admin("GET", "scenarios/" + scenario + "/assignments", null), 200).size());
        shot("machine-list-assigned");
    }

    private static String firstMachine() {
        var rows = browser.findElements(By.cssSelector("tr[data-machine] td:nth-child(2)"));
        return rows.isEmpty() ? "" : rows.get(0).getText();
    }

    @Test
    public void uninstallingAPluginTurnsItsScenariosUnavailableOnTheOpenPage() throws Exception {
        fakeScenarioTypeInstalled();
        long sg = scenarioGroup("/plugin-gone");
        long s = ok(admin("POST", "scenarios", "{\"name\":\"Needs fake\",\"groupId\":" + sg + ",\"tabs\":{"
                + "\"fake\":{\"command\":\"true\"}}}"), 201).get("id").asLong();
        signIn("admin", ADMIN_PASSWORD);
        visible("button.tree-item[data-scenario-group='" + sg + "']").click();
        String cell = "tr[data-scenario='" + s + "'] td.availability";
        waiting(20).until(d -> d.findElement(By.cssSelector(cell)).getText().equals("available"));
        ((JavascriptExecutor) browser).executeScript("window.openedOnce = true");
        try {
            Distribution.client(home, ADMIN_PASSWORD, "feature:uninstall opendpm-plugin-scenario-fake");
            waiting(30).until(d -> d.findElement(By.cssSelector(cell)).getText().startsWith("plugin unavailable"));
            browser.findElement(By.cssSelector("tr[data-scenario='" + s + "'] button.open-scenario")).click();
            visible("#scenario-tab-fake").click();
            assertTrue(visible("#tab-fake-unavailable").getText().startsWith("Plugin unavailable"));
            assertEquals("the page was not reloaded", Boolean.TRUE, ((JavascriptExecutor) browser).executeScript(
                    "return window.openedOnce === true"));
            shot("scenario-plugin-unavailable");
        } finally {
            fakeScenarioTypeInstalled();
        }
        // And back, as the plugin returns.
        waiting(30).until(d -> d.findElement(By.cssSelector(cell)).getText().equals("available"));
    }

    @Test
    public void theManagementViewsRenderAndAViewerSeesNoChangeButtons() throws Exception {
        fakeScenarioTypeInstalled();
        signIn("admin", ADMIN_PASSWORD);
        browser.findElement(By.id("nav-management")).click();
        WebElement timeout = visible("#setting-scenarioTimeoutMinutes");
        String before = timeout.getAttribute("value");
        timeout.clear();
        timeout.sendKeys("0");
        browser.findElement(By.id("settings-save")).click();
        assertTrue(text("#setting-scenarioTimeoutMinutes-error").contains("between"));
        assertEquals(before, ok(admin("GET", "settings", null), 200).get("scenarioTimeoutMinutes").asText());
        shot("management-settings");

        browser.findElement(By.id("manage-plugins")).click();
        waiting(20).until(d -> !d.findElements(By.xpath("//table[@id='plugins']//td[text()='fake']")).isEmpty());
        shot("management-plugins");
        browser.findElement(By.id("manage-users")).click();
        visible("#users tr[data-user='admin']");
        browser.findElement(By.id("manage-boot")).click();
        visible("#boot-status");
        browser.findElement(By.id("manage-agents")).click();
        visible("#agent-link");
        browser.findElement(By.id("manage-images")).click();
        visible("#images");
        browser.findElement(By.id("manage-multicast")).click();
        visible("#multicast");

        Rest.Response created = admin("POST", "users", "{\"name\":\"auditor\",\"password\":\"" + VIEWER_PASSWORD
                + "\",\"roles\":[\"viewer\"]}");
        assertTrue(created.body(), created.status() == 201 || created.status() == 409);
        signIn("auditor", VIEWER_PASSWORD);
        browser.findElement(By.id("nav-management")).click();
        visible("#setting-scenarioTimeoutMinutes");
        assertTrue(browser.findElements(By.id("settings-save")).isEmpty());
        assertFalse(browser.findElement(By.id("setting-scenarioTimeoutMinutes")).isEnabled());
        assertTrue("users are for admins", browser.findElements(By.id("manage-users")).isEmpty());
    }

    @Test
    public void aWrongPasswordIsRefusedAndTheSixthFastRetryIsThrottled() throws Exception {
        signedOut();
        shot("login");
        typeSignIn("admin", "not the password");
        assertEquals("Wrong user name or password.", loginError());

        // Five failures for one user name, then the sixth is refused unchecked (429) with the time to wait.
        for (int i = 1; i <= 5; i++) {
            typeSignIn("mallory", "guess " + i);
            // The page empties the password field when the answer of this attempt has arrived.
            waiting(20).until(d -> d.findElement(By.id("login-password")).getAttribute("value").isEmpty());
            assertEquals("Wrong user name or password.", loginError());
        }
        typeSignIn("mallory", "guess 6");
        waiting(20).until(d -> d.findElement(By.id("login-error")).getText().startsWith(
                "Too many failed sign-ins: try again in "));
        shot("login-throttled");
        // The same answer as HTTP Basic gets from the realm's throttle.
        Rest.Response basic = rest.get("server", "mallory", "guess 7");
        assertEquals(basic.body(), 429, basic.status());
        assertNotNull(basic.retryAfter());

        typeSignIn("admin", ADMIN_PASSWORD);
        waiting(20).until(d -> d.findElement(By.id("who")).getText().startsWith("admin "));
    }

    @Test
    public void theSessionCookieIsHttpOnlyAndSameSiteStrictAndChangesNeedTheCsrfToken() throws Exception {
        signIn("admin", ADMIN_PASSWORD);
        Cookie cookie = browser.manage().getCookieNamed("OPENDPM_SESSION");
        assertNotNull("session cookie", cookie);
        assertTrue("HttpOnly", cookie.isHttpOnly());
        assertEquals("Strict", cookie.getSameSite());
        assertEquals("/opendpm", cookie.getPath());
        assertFalse("no Secure over plain HTTP", cookie.isSecure());
        Object visibleToScripts = ((JavascriptExecutor) browser).executeScript("return document.cookie");
        assertFalse(String.valueOf(visibleToScripts), String.valueOf(visibleToScripts).contains("OPENDPM_SESSION"));

        String token = csrfTokenOfPage();
        assertNotNull(token);
        assertEquals("a change without the token", 403, fetchFromPage("POST", "groups", "{\"path\":\"/csrf-none\"}",
                null));
        assertEquals("a change with a wrong token", 403, fetchFromPage("POST", "groups",
                "{\"path\":\"/csrf-wrong\"}", (token.startsWith("x") ? "y" : "x") + token.substring(1)));
        assertEquals("a read needs no token", 200, fetchFromPage("GET", "groups", null, null));
        assertEquals("a change with the token", 201, fetchFromPage("POST", "groups", "{\"path\":\"/csrf-right\"}",
                token));

        // The same over plain HTTP: sign-in, Set-Cookie's flags, sign-out ending the session on the server.
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port + "/opendpm/api/v1/";
        HttpResponse<String> in = http.send(HttpRequest.newBuilder(URI.create(base + "session")).header(
                "Content-Type", "application/json").POST(
                        HttpRequest.BodyPublishers.ofString(
                                "{\"user\":\"admin\",\"password\":\"" + ADMIN_PASSWORD + "\"}"))
                .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(in.body(), 201, in.statusCode());
        String setCookie = in.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie, setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict")
                && setCookie.contains("Path=/opendpm"));
        String session = setCookie.substring(0, setCookie.indexOf(';'));
        HttpResponse<String> who = http.send(HttpRequest.newBuilder(URI.create(base + "session")).header("Cookie",
                session).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, who.statusCode());
        String csrf = new com.fasterxml.jackson.databind.ObjectMapper().readTree(who.body()).get("csrfToken")
                .asText();
        HttpResponse<String> out = http.send(HttpRequest.newBuilder(URI.create(base + "session")).header("Cookie",
                session).header("X-CSRF-Token", csrf).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, out.statusCode());
        HttpResponse<String> after = http.send(HttpRequest.newBuilder(URI.create(base + "session")).header("Cookie",
                session).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("the ended session's cookie", 401, after.statusCode());
    }

    @Test
    public void aNewMachineIsRegisteredThroughTheFormWithTheServersFieldErrorsOnTheFields() throws Exception {
        long g = group("/console");
        signIn("admin", ADMIN_PASSWORD);
        visible("button.tree-item[data-group='" + g + "']").click();
        visible("#new-machine").click();
        visible("#machine-name").sendKeys("console-pc-1");
        browser.findElement(By.id("machine-mac")).sendKeys("not a mac");
        browser.findElement(By.id("machine-ip")).sendKeys("192.168.10.21");
        browser.findElement(By.id("machine-save")).click();
        String error = waiting(20).until(d -> {
            String t = d.findElement(By.id("machine-mac-error")).getText();
            return t.isBlank() ? null : t;
        });
        assertTrue(error, error.toLowerCase().contains("mac"));
        assertEquals("true", browser.findElement(By.id("machine-mac")).getAttribute("aria-invalid"));
        shot("new-machine-field-error");

        WebElement mac = browser.findElement(By.id("machine-mac"));
        mac.clear();
        mac.sendKeys("02:c0:00:00:00:01");
        browser.findElement(By.id("machine-save")).click();
        waiting(20).until(d -> d.findElement(By.id("operations-message")).getText().contains(
                "console-pc-1 registered in /console"));
        waiting(20).until(d -> d.findElements(By.xpath("//table[contains(@class,'machines')]//td[text()="
                + "'console-pc-1']")).size() == 1);
        shot("operations");
        JsonNode page = ok(admin("GET", "machines?group=" + g, null), 200);
        assertEquals(1, page.get("total").asInt());
        assertEquals("192.168.10.21", page.get("machines").get(0).get("ip").asText());
    }

    @Test
    public void aViewerSeesNoChangeButtonsAndTheServerRefusesTheirForgedChange() throws Exception {
        Rest.Response created = admin("POST", "users", "{\"name\":\"watcher\",\"password\":\"" + VIEWER_PASSWORD
                + "\",\"roles\":[\"viewer\"]}");
        assertTrue(created.body(), created.status() == 201 || created.status() == 409);
        long g = group("/viewer");
        ok(admin("POST", "machines", "{\"groupId\":" + g + ",\"name\":\"seen-1\",\"macs\":[\"02:c0:00:00:01:01\"]}"),
                201);

        signIn("watcher", VIEWER_PASSWORD);
        visible("button.tree-item[data-group='" + g + "']").click();
        waiting(20).until(d -> d.findElements(By.xpath("//td[text()='seen-1']")).size() == 1);
        assertTrue(browser.findElements(By.id("new-machine")).isEmpty());
        assertTrue(browser.findElements(By.id("bulk-execute")).isEmpty());
        assertTrue(browser.findElements(By.id("bulk-delete")).isEmpty());
        browser.findElement(By.id("nav-monitor")).click();
        visible("#executions");
        assertTrue(browser.findElements(By.cssSelector("button.cancel")).isEmpty());

        // What the page would not offer, forged with the viewer's own session and a valid token: the role check.
        String token = csrfTokenOfPage();
        assertEquals(403, fetchFromPage("POST", "groups", "{\"path\":\"/forged\"}", token));
        assertEquals(403, fetchFromPage("DELETE", "machines/" + ok(admin("GET", "machines?group=" + g, null), 200)
                .get("machines").get(0).get("id").asLong(), null, token));
        assertEquals(1, ok(admin("GET", "machines?group=" + g, null), 200).get("total").asInt());

        // Given other roles, the viewer's session ends: the next request of the page shows the sign-in.
        ok(admin("PUT", "users/watcher/roles", "{\"roles\":[\"operator\"]}"), 200);
        browser.findElement(By.id("nav-operations")).click();
        visible("#login-user");
        assertEquals(401, fetchFromPage("GET", "session", null, null));
    }

    @Test
    public void anExecutionsProgressAndResultArriveWithoutAReload() throws Exception {
        fakeScenarioTypeInstalled();
        long g = group("/progress");
        String mac = "02:c0:00:00:02:01";
        long m = ok(admin("POST", "machines", "{\"groupId\":" + g + ",\"name\":\"progress-1\",\"macs\":[\"" + mac
                + "\"]}"), 201).get("id").asLong();
        agent("progress-1", mac);
        Rest.awaitMillis(60_000, () -> {
            for (JsonNode a : ok(admin("GET", "agents", null), 200)) {
                if (a.hasNonNull("machineId") && a.get("machineId").asLong() == m) {
                    return true;
                }
            }
            return false;
        }, "agent connected");
        long sg = ok(admin("POST", "scenario-groups", "{\"path\":\"/console\"}"), 201).get("id").asLong();
        long s = ok(admin("POST", "scenarios", "{\"name\":\"Four steps\",\"groupId\":" + sg + ",\"tabs\":{\"fake\":"
                + "{\"command\":\"sleep 2\",\"repeat\":4}}}"), 201).get("id").asLong();

        signIn("admin", ADMIN_PASSWORD);
        browser.findElement(By.id("nav-monitor")).click();
        waiting(20).until(d -> d.findElement(By.id("stream-state")).getText().equals("live"));
        ((JavascriptExecutor) browser).executeScript("window.openedOnce = true");

        // The same stream at REST level, read by a plain client with HTTP Basic.
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        Thread reader = readEvents(events);

        long e = ok(admin("POST", "executions", "{\"machineIds\":[" + m + "],\"scenarioId\":" + s + "}"), 201).get(0)
                .get("id").asLong();
        String row = "tr[data-execution='" + e + "']";
        waiting(30).until(d -> d.findElements(By.cssSelector(row + " td.step")).stream().anyMatch(c -> c.getText()
                .startsWith("1 of 4")));
        shot("monitor");
        waiting(30).until(d -> d.findElements(By.cssSelector(row + " td.step")).stream().anyMatch(c -> c.getText()
                .startsWith("3 of 4")));
        waiting(60).until(d -> d.findElements(By.cssSelector("tr[data-result='" + e + "'] td.state")).stream()
                .anyMatch(c -> c.getText().equals("COMPLETED")));
        assertTrue(browser.findElements(By.cssSelector(row)).isEmpty());
        assertEquals("the page was not reloaded", Boolean.TRUE, ((JavascriptExecutor) browser).executeScript(
                "return window.openedOnce === true"));
        shot("monitor-result");

        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean completed = false;
        while (!completed && System.nanoTime() < deadline) {
            String line = events.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                seen.add(line);
                completed = line.startsWith("data:") && line.contains("\"id\":" + e + ",") && line.contains(
                        "\"state\":\"COMPLETED\"");
            }
        }
        reader.interrupt();
        assertTrue("the stream: " + seen, seen.contains("event: snapshot") || seen.contains("event:snapshot"));
        assertTrue("the stream: " + seen, completed);
        assertTrue("the stream: " + seen, seen.stream().anyMatch(l -> l.contains("\"id\":" + e + ",") && l.contains(
                "\"state\":\"RUNNING\"")));

        // Again from the machine list (the scenario is assigned now): the row shows the execution's progress.
        browser.findElement(By.id("nav-operations")).click();
        visible("button.tree-item[data-group='" + g + "']").click();
        visible("tr[data-machine='" + m + "'] input[type=checkbox]").click();
        browser.findElement(By.id("bulk-execute")).click();
        String said = text("#operations-message");
        assertTrue(said, said.startsWith("Execute: done for 1 machine"));
        waiting(30).until(d -> d.findElements(By.cssSelector("tr[data-machine='" + m + "'] td.machine-progress"))
                .stream().anyMatch(c -> c.getText().contains("RUNNING")));
        assertEquals("Four steps", browser.findElement(By.cssSelector("tr[data-machine='" + m + "'] td.assigned"))
                .getText());
        shot("machine-list-progress");
        waiting(60).until(d -> d.findElement(By.cssSelector("tr[data-machine='" + m + "'] td.machine-progress"))
                .getText().isBlank());

        // EXE-7: a scenario that fails at once, then the Result List filtered by its end state.
        long fails = ok(admin("POST", "scenarios", "{\"name\":\"Fails fast\",\"groupId\":" + sg + ",\"tabs\":{\"fake\":"
                + "{\"command\":\"true\",\"expectedExitCode\":7}}}"), 201).get("id").asLong();
        long failed = ok(admin("POST", "executions", "{\"machineIds\":[" + m + "],\"scenarioId\":" + fails + "}"), 201)
                .get(0).get("id").asLong();
        Rest.awaitMillis(60_000, () -> admin("GET", "results?state=FAILED", null).body().contains("\"id\":" + failed
                + ","), "the failed execution among the results");
        browser.findElement(By.id("nav-monitor")).click();
        visible("tr[data-result='" + failed + "']");
        new Select(visible("#result-state")).selectByValue("FAILED");
        waiting(20).until(d -> d.findElements(By.cssSelector("#results tr[data-result='" + e + "']")).isEmpty());
        List<WebElement> states = browser.findElements(By.cssSelector("#results tr[data-result] td.state"));
        assertFalse(states.isEmpty());
        assertTrue(states.stream().allMatch(c -> c.getText().equals("FAILED")));
        assertEquals(1, browser.findElements(By.cssSelector("#results tr[data-result='" + failed + "']")).size());
        shot("monitor-result-filtered");
        new Select(browser.findElement(By.id("result-state"))).selectByValue(
                "COMPLETED");
        waiting(20).until(d -> d.findElements(By.cssSelector("#results tr[data-result='" + failed + "']")).isEmpty()
                && !d.findElements(By.cssSelector("#results tr[data-result='" + e + "']")).isEmpty());
        assertTrue(browser.findElements(By.cssSelector("#results tr[data-result] td.state")).stream().allMatch(
                c -> c.getText().equals("COMPLETED")));
    }

    /**
     * INV-9: a CSV with a bad line is refused whole; the page lists the line and its field. INV-10: the machine's
     * and the group's properties.
     */
    @Test
    public void aCsvImportWithABadLineShowsTheLineAndFieldAndRegistersNothingThenPropertiesAreEdited()
            throws Exception {
        long g = group("/csv");
        Path csv = Files.createTempFile(home, "machines", ".csv");
        Files.writeString(csv, "group_path,name,macs,uuid,ip,model,deploy_os\n"
                + "/csv,csv-good,02:c0:00:00:03:01,,10.0.3.1,,\n"
                + "/csv,csv-bad,not-a-mac,,10.0.3.2,,\n");
        signIn("admin", ADMIN_PASSWORD);
        visible("button.tree-item[data-group='" + g + "']").click();
        visible("#import-csv").click();
        visible("#csv-file").sendKeys(csv.toString());
        browser.findElement(By.id("csv-upload")).click();
        WebElement line = visible("#csv-errors tr[data-line='3']");
        String said = line.getText();
        assertTrue(said, said.contains("macs") && said.contains("MAC"));
        assertEquals(1, browser.findElements(By.cssSelector("#csv-errors tr[data-line]")).size());
        shot("csv-import-errors");
        assertEquals(0, ok(admin("GET", "machines?group=" + g, null), 200).get("total").asInt());

        Files.writeString(csv, "group_path,name,macs,uuid,ip,model,deploy_os\n"
                + "/csv,csv-good,02:c0:00:00:03:01,,10.0.3.1,,\n");
        browser.findElement(By.id("csv-file")).sendKeys(csv.toString());
        browser.findElement(By.id("csv-upload")).click();
        waiting(20).until(d -> d.findElement(By.id("operations-message")).getText().startsWith(
                "Imported 1 machine(s)"));
        JsonNode imported = ok(admin("GET", "machines?group=" + g, null), 200);
        assertEquals(1, imported.get("total").asInt());
        long m = imported.get("machines").get(0).get("id").asLong();

        // INV-10: the imported machine's properties, its Deploy-OS set explicitly instead of the default.
        visible("tr[data-machine='" + m + "'] input[type=checkbox]").click();
        visible("#machine-properties").click();
        visible("#machine-deployOs-default").click();
        visible("#machine-deployOs").sendKeys("ia32_121228_26");
        browser.findElement(By.id("machine-save")).click();
        waiting(20).until(d -> d.findElement(By.id("operations-message")).getText().equals(
                "Machine csv-good saved."));
        JsonNode saved = ok(admin("GET", "machines/" + m, null), 200);
        assertEquals("ia32_121228_26", saved.get("deployOs").asText());
        assertFalse(saved.get("useDefaultDeployOs").asBoolean());
        assertEquals("10.0.3.1", saved.get("ip").asText());

        // A different subnet without its gateway: the server's error on the gateway field.
        visible("#group-properties").click();
        visible("#group-different").click();
        visible("#group-mask").sendKeys("255.255.255.0");
        browser.findElement(By.id("group-save")).click();
        String gateway = text("#group-gateway-error");
        assertTrue(gateway, gateway.contains("gateway"));
        assertEquals("true", browser.findElement(By.id("group-gateway")).getAttribute("aria-invalid"));
        shot("group-field-error");
        browser.findElement(By.id("group-gateway")).sendKeys("10.0.3.254");
        browser.findElement(By.id("group-save")).click();
        waiting(20).until(d -> d.findElement(By.id("operations-message")).getText().equals("Group /csv saved."));
        JsonNode network = ok(admin("GET", "groups/" + g, null), 200).get("network");
        assertFalse(network.get("sameSubnet").asBoolean());
        assertEquals("10.0.3.254", network.get("defaultGateway").asText());
    }

    /** SCH-3: a group's scenario schedule made on the page, a bad cron first (its error on the field). */
    @Test
    public void aScheduleCreatedOnThePageIsInRestWithTheServersFieldErrorFirst() throws Exception {
        fakeScenarioTypeInstalled();
        long g = group("/scheduled");
        long sg = scenarioGroup("/schedules");
        long s = ok(admin("POST", "scenarios", "{\"name\":\"Nightly\",\"groupId\":" + sg + ",\"tabs\":{\"fake\":"
                + "{\"command\":\"true\"}}}"), 201).get("id").asLong();
        signIn("admin", ADMIN_PASSWORD);
        visible("button.tree-item[data-group='" + g + "']").click();
        visible("#open-schedules").click();
        visible("#new-schedule").click();
        visible("#schedule-name").sendKeys("nightly-scheduled");
        new Select(browser.findElement(By.id("schedule-target"))).selectByValue(
                "group");
        new Select(browser.findElement(By.id("schedule-scenario"))).selectByValue(
                String.valueOf(s));
        new Select(browser.findElement(By.id("schedule-timing"))).selectByValue(
                "repeat");
        WebElement zone = browser.findElement(By.id("schedule-timeZone"));
        zone.clear();
        zone.sendKeys("Europe/Berlin");
        visible("#schedule-cron").sendKeys("every night");
        browser.findElement(By.id("schedule-save")).click();
        String error = text("#schedule-cron-error");
        assertTrue(error, error.contains("cron"));
        assertEquals("true", browser.findElement(By.id("schedule-cron")).getAttribute("aria-invalid"));
        assertEquals("schedule-cron", ((JavascriptExecutor) browser).executeScript(
                "return document.activeElement.id"));
        shot("schedule-field-error");

        WebElement cron = browser.findElement(By.id("schedule-cron"));
        cron.clear();
        cron.sendKeys("0 30 2 * * ?");
        browser.findElement(By.id("schedule-save")).click();
        visible("#schedule-list tr[data-schedule]");
        shot("schedules");
        JsonNode made = null;
        for (JsonNode x : ok(admin("GET", "schedules", null), 200)) {
            if (x.get("name").asText().equals("nightly-scheduled")) {
                made = x;
            }
        }
        assertNotNull(made);
        assertEquals("GROUP_EXECUTE", made.get("kind").asText());
        assertEquals(g, made.get("groupId").asLong());
        assertEquals(s, made.get("scenarioId").asLong());
        assertEquals("0 30 2 * * ?", made.get("cron").asText());
        assertEquals("Europe/Berlin", made.get("timeZone").asText());
    }

    /** Reads the execution events with HTTP Basic, line by line, into the queue. */
    private static Thread readEvents(BlockingQueue<String> lines) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/opendpm/api/v1/executions/events")).header("Accept", "text/event-stream").header(
                        "Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD)
                                .getBytes(StandardCharsets.UTF_8)))
                .build(),
                HttpResponse.BodyHandlers
                        .ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse(""), r.headers().firstValue("Content-Type")
                .orElse("").startsWith("text/event-stream"));
        Thread t = new Thread(() -> {
            try (var in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null && !Thread.currentThread().isInterrupted();) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("closed: " + e);
            }
        }, "console-it-events");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void agent(String name, String mac) throws IOException {
        String jar = System.getProperty("opendpm.agent.jar");
        assertTrue("agent jar " + jar, jar != null && new File(jar).isFile());
        Path state = Files.createDirectories(home.resolve("itest-agents").resolve(name));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String linkPort = Distribution.key(home.resolve("etc/org.opendpm.transfer.cfg"), "port");
        agents.add(new ProcessBuilder(java, "-jar", jar, "--server", "127.0.0.1:" + linkPort, "--state", state
                .toString(), "--mac", mac, "--name", name).redirectErrorStream(true).redirectOutput(state.resolve(
                        "agent.log").toFile())
                .start());
    }
}
