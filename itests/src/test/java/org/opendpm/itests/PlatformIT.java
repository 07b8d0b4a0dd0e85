package org.opendpm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;

import javax.inject.Inject;

import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.opendpm.api.boot.DeployOsSessions;
import org.opendpm.api.boot.PublishedFiles;
import org.opendpm.spi.DeployOs;
import org.opendpm.spi.DeployOsModel;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The real distribution, booted once: authentication, login throttling and roles, the plugin listing, plugin hot-swap
 * by feature and by bundle update, settings through REST with bad input, and the database going away.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PlatformIT {

    private static final String NEC = "org.opendpm.plugin.deployos.nec";

    @Inject
    private BundleContext context;

    @Inject
    private SessionFactory sessions;

    private Rest rest;
    private String adminPassword;

    /**
     * Login throttling starts at 20 s here rather than the shipped 1 s: a slow machine cannot let the delay run out
     * between two requests, and a Retry-After above 1 shows the configuration file reaches the throttle.
     */
    static final int THROTTLE_INITIAL_DELAY_SECONDS = 20;

    @Configuration
    public Option[] configuration() throws IOException {
        return OptionUtils.combine(Container.options(), editConfigurationFilePut("etc/org.opendpm.security.cfg",
                "initialDelaySeconds", Integer.toString(THROTTLE_INITIAL_DELAY_SECONDS)));
    }

    @Before
    public void serverIsUp() throws IOException {
        rest = Container.rest();
        adminPassword = Container.adminPassword();
        Rest.awaitMillis(30_000, () -> rest.get("plugins", "admin", adminPassword).status() == 200,
                "admin can log in");
    }

    private String shell(String command) throws Exception {
        return Container.shell(sessions, command);
    }

    private JsonNode models() {
        Rest.Response r = rest.get("deployos/models", "admin", adminPassword);
        assertEquals(r.body(), 200, r.status());
        return r.json();
    }

    private static boolean hasModel(JsonNode models, String model) {
        for (JsonNode m : models) {
            if (m.get("model").asText().equals(model)) {
                return true;
            }
        }
        return false;
    }

    private String createUser(String role) {
        String name = role + "-" + UUID.randomUUID().toString().substring(0, 8);
        Rest.Response r = rest.send("POST", "users", "{\"name\":\"" + name
                + "\",\"password\":\"a long password 1\",\"roles\":[\"" + role + "\"]}", "admin", adminPassword);
        assertEquals(r.body(), 201, r.status());
        return name;
    }

    @Test
    public void withoutValidCredentialsEveryCallIs401AndNothingChanges() {
        Rest.Response none = rest.get("plugins", null, null);
        assertEquals(401, none.status());
        assertTrue(none.wwwAuthenticate(), none.wwwAuthenticate().startsWith("Basic"));
        assertEquals(401, none.json().get("status").asInt());
        assertEquals(401, rest.get("settings", "admin", "wrong password").status());
        assertEquals(401, rest.get("settings", "nobody", adminPassword).status());
        int before = rest.get("settings", "admin", adminPassword).json().get("scenarioTimeoutMinutes").asInt();
        assertEquals(401, rest.send("PATCH", "settings", "{\"scenarioTimeoutMinutes\": 33}", null, null).status());
        assertEquals(before,
                rest.get("settings", "admin", adminPassword).json().get("scenarioTimeoutMinutes").asInt());
    }

    /**
     * Five wrong passwords for one user are 401 each; then its logins are 429 with Retry-After, unchecked even with the
     * right password, while the admin from the same address logs in, and can release the name from the shell. All itests come from 127.0.0.1, whose own
     * threshold (20 failures for any names) is well above the few failures this class makes in all.
     */
    @Test
    public void fiveWrongPasswordsThrottleThatUserWith429AndRetryAfterButNotTheAdmin() throws Exception {
        String throwaway = createUser("viewer");
        for (int i = 1; i <= 5; i++) {
            Rest.Response r = rest.get("settings", throwaway, "wrong password " + i);
            assertEquals(r.body(), 401, r.status());
        }
        Rest.Response sixth = rest.get("settings", throwaway, "wrong password 6");
        assertEquals(sixth.body(), 429, sixth.status());
        assertNotNull(sixth.retryAfter());
        long retryAfter = Long.parseLong(sixth.retryAfter());
        assertTrue("Retry-After " + retryAfter, retryAfter > THROTTLE_INITIAL_DELAY_SECONDS / 2
                && retryAfter <= THROTTLE_INITIAL_DELAY_SECONDS);
        assertEquals(429, sixth.json().get("status").asInt());
        assertEquals("Too many failed logins", sixth.json().get("title").asText());
        assertEquals(429, rest.get("settings", throwaway, "a long password 1").status());
        assertEquals(200, rest.get("settings", "admin", adminPassword).status());
        // One WARN when the delay began, naming the client's address as REST saw it (not one per refused attempt).
        Path log = Path.of(System.getProperty("karaf.log"), "karaf.log");
        String warning = "Logins for user '" + throwaway + "' delayed";
        Rest.awaitMillis(10_000, () -> read(log).contains(warning), "the throttle's WARN in " + log);
        List<String> lines = read(log).lines().filter(l -> l.contains(warning)).toList();
        assertEquals(lines.toString(), 1, lines.size());
        assertTrue(lines.get(0), lines.get(0).contains("WARN") && lines.get(0).contains("the last from 127.0.0.1"));
        // The admin sees the delay in the shell and can end it rather than wait.
        String shown = shell("dpm:user-login-delay " + throwaway);
        assertTrue(shown, shown.contains("s more after failed ones"));
        shell("dpm:user-login-delay --clear " + throwaway);
        assertEquals(200, rest.get("settings", throwaway, "a long password 1").status());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    public void viewerReadsButCannotConfigure403() {
        String viewer = createUser("viewer");
        assertEquals(200, rest.get("settings", viewer, "a long password 1").status());
        assertEquals(200, rest.get("plugins", viewer, "a long password 1").status());
        Rest.Response patch = rest.send("PATCH", "settings", "{\"scenarioTimeoutMinutes\": 33}", viewer,
                "a long password 1");
        assertEquals(patch.body(), 403, patch.status());
        assertTrue(patch.json().get("detail").asText().contains("admin"));
        assertEquals(403, rest.get("users", viewer, "a long password 1").status());
        String operator = createUser("operator");
        assertEquals(403, rest.get("users", operator, "a long password 1").status());
    }

    @Test
    public void pluginsListsTheBuiltInPluginsInRestAndShell() throws Exception {
        JsonNode plugins = rest.get("plugins", "admin", adminPassword).json();
        String all = plugins.toString();
        assertTrue(all, all.contains("\"key\":\"NEC Express5800 001\""));
        assertTrue(all, all.contains("\"bundle\":\"org.opendpm.plugin.deployos.vmware\""));
        assertTrue(all, all.contains("\"bundle\":\"org.opendpm.plugin.deployos.hyperv\""));
        assertTrue(all, all.contains("\"winner\":true"));
        JsonNode models = models();
        assertTrue(hasModel(models, "VMware ESXi Virtual Machine 003"));
        for (JsonNode m : models) {
            if (m.get("model").asText().equals("NEC Express5800 001")) {
                assertEquals("ia32_080331_24", m.get("deployOs").asText());
            }
        }
        String table = shell("dpm:plugins");
        assertTrue(table, table.contains("org.opendpm.plugin.deployos.nec"));
        assertTrue(table, table.contains("NEC Express5800 006"));
        // A model no vendor names gets the OpenDPM Deploy-OS (pattern *); a machine with no model, the server default.
        JsonNode unknown = rest.get("deployos/resolve?model=Unknown%20Box", "admin", adminPassword).json();
        assertEquals("model_pattern", unknown.get("rule").asText());
        assertEquals("opendpm-amd64", unknown.get("deployOs").asText());
        JsonNode vendor = rest.get("deployos/resolve?model=NEC%20Express5800%20001", "admin", adminPassword).json();
        assertEquals("ia32_080331_24", vendor.get("deployOs").asText());
        JsonNode noModel = rest.get("deployos/resolve", "admin", adminPassword).json();
        assertEquals("server_default", noModel.get("rule").asText());
        assertEquals("ia32_110331_26", noModel.get("deployOs").asText());
    }

    @Test
    public void featureUninstallAndInstallSwapAPluginWithin2Seconds() throws Exception {
        String model = "VMware ESXi Virtual Machine 002";
        assertTrue(hasModel(models(), model));
        shell("feature:uninstall opendpm-plugin-deployos-vmware");
        long gone = Rest.awaitMillis(2_000, () -> !hasModel(models(), model), model + " gone");
        shell("feature:install opendpm-plugin-deployos-vmware");
        long back = Rest.awaitMillis(2_000, () -> hasModel(models(), model), model + " back");
        System.out.println("feature:uninstall visible after " + gone + " ms, feature:install after " + back + " ms");
    }

    @Test
    public void bundleUpdateToAJarWithOneMoreModelShowsIt() throws Exception {
        Bundle nec = null;
        for (Bundle b : context.getBundles()) {
            if (NEC.equals(b.getSymbolicName())) {
                nec = b;
            }
        }
        assertNotNull(nec);
        String newModel = "NEC Express5800 010";
        assertFalse(hasModel(models(), newModel));
        Path original = Files.createTempFile("nec-original", ".jar");
        try (InputStream in = new URL(nec.getLocation()).openStream()) {
            Files.copy(in, original, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path updated = withExtraModel(original, newModel);
        shell("bundle:update " + nec.getBundleId() + " " + updated.toUri());
        long seen = Rest.awaitMillis(2_000, () -> hasModel(models(), newModel), newModel + " listed");
        System.out.println("bundle:update visible after " + seen + " ms");
        shell("bundle:update " + nec.getBundleId() + " " + original.toUri());
        Rest.awaitMillis(2_000, () -> !hasModel(models(), newModel) && hasModel(models(), "NEC Express5800 001"),
                "original NEC bundle back");
    }

    /** A copy of the plugin jar whose descriptor maps one more model. */
    private static Path withExtraModel(Path jar, String model) throws IOException {
        Path out = Files.createTempFile("nec-plus-one", ".jar");
        try (var in = new JarInputStream(Files.newInputStream(jar));
                OutputStream os = Files.newOutputStream(out);
                var jos = new JarOutputStream(os, in.getManifest())) {
            for (JarEntry e; (e = in.getNextJarEntry()) != null;) {
                byte[] data = in.readAllBytes();
                if (e.getName().equals("OSGI-INF/opendpm/deployos-models.xml")) {
                    String xml = new String(data, StandardCharsets.UTF_8);
                    xml = xml.replace("<model>NEC Express5800 006</model>",
                            "<model>NEC Express5800 006</model>\n    <model>" + model + "</model>");
                    data = xml.getBytes(StandardCharsets.UTF_8);
                }
                jos.putNextEntry(new JarEntry(e.getName()));
                jos.write(data);
                jos.closeEntry();
            }
        }
        return out;
    }

    @Test
    public void settingsAreValidatedAndBadInputNamesTheField() {
        Rest.Response ok = rest.send("PATCH", "settings", "{\"machinesForSimultaneousExecution\": 7}", "admin",
                adminPassword);
        assertEquals(ok.body(), 200, ok.status());
        assertEquals(7, rest.get("settings", "admin", adminPassword).json()
                .get("machinesForSimultaneousExecution").asInt());

        assertBadRequest("{\"machinesForSimultaneousExecution\": 7", null, "Malformed JSON");
        assertBadRequest("{\"machinesForSimultanousExecution\": 7}", "machinesForSimultanousExecution",
                "Unknown field");
        assertBadRequest("{\"machinesForSimultaneousExecution\": \"many\"}", "machinesForSimultaneousExecution",
                "Wrong type");
        assertBadRequest("{\"useDhcpServer\": 1}", "useDhcpServer", "Wrong type");
        assertBadRequest("{\"machinesForSimultaneousExecution\": 0}", "machinesForSimultaneousExecution",
                "Invalid input");
        assertBadRequest("{\"imageFolder\": \"relative/images\"}", "imageFolder", "Invalid input");
        Rest.Response put = rest.send("PUT", "settings", "{\"useDhcpServer\": true}", "admin", adminPassword);
        assertEquals(put.body(), 400, put.status());
        assertEquals(7, rest.get("settings", "admin", adminPassword).json()
                .get("machinesForSimultaneousExecution").asInt());
    }

    private void assertBadRequest(String body, String field, String title) {
        Rest.Response r = rest.send("PATCH", "settings", body, "admin", adminPassword);
        assertEquals(r.body(), 400, r.status());
        JsonNode problem = r.json();
        assertEquals(r.body(), title, problem.get("title").asText());
        if (field != null) {
            assertEquals(r.body(), field, problem.get("field").asText());
        }
        assertTrue(r.body(), problem.get("detail").asText().length() > 10);
    }

    @Test
    public void theDatabaseLivesInTheDataFolderAndTftpServesTheBootFolder() throws Exception {
        Path data = Path.of(System.getProperty("karaf.data"));
        assertTrue(Files.isDirectory(data.resolve("opendpm")));
        Path boot = data.resolve("tftp");
        Files.createDirectories(boot);
        Files.writeString(boot.resolve("hello.txt"), "OpenDPM boot file\n");
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(5000);
            byte[] rrq = "\0\1hello.txt\0octet\0".getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(rrq, rrq.length, InetAddress.getLoopbackAddress(),
                    Integer.getInteger(Container.TFTP_PORT)));
            byte[] buffer = new byte[600];
            DatagramPacket data1 = new DatagramPacket(buffer, buffer.length);
            socket.receive(data1);
            assertEquals("opcode DATA", 3, buffer[1]);
            assertEquals("block 1", 1, buffer[3]);
            assertEquals("OpenDPM boot file\n", new String(buffer, 4, data1.getLength() - 4,
                    StandardCharsets.US_ASCII));
            byte[] ack = { 0, 4, 0, 1 };
            socket.send(new DatagramPacket(ack, ack.length, data1.getSocketAddress()));
        }
    }

    @Test
    public void aBootIntentIsSetByRestAndBootStatusCountsATftpFetch() throws Exception {
        String viewer = createUser("viewer");
        String group = "/boot-" + UUID.randomUUID().toString().substring(0, 8);
        Rest.Response g = rest.send("POST", "groups", "{\"path\":\"" + group + "\"}", "admin", adminPassword);
        assertEquals(g.body(), 201, g.status());
        Rest.Response m = rest.send("POST", "machines", "{\"groupPath\":\"" + group + "\",\"name\":\"boot-intent-"
                + group.substring(6) + "\",\"macs\":[\"02-00-5E-10-00-01\"]}", "admin", adminPassword);
        assertEquals(m.body(), 201, m.status());
        String intent = "machines/" + m.json().get("id").asLong() + "/boot-intent";
        // The REST resources come up with netboot's services; wait for them rather than for a fixed time.
        Rest.awaitMillis(30_000, () -> rest.get(intent, viewer, "a long password 1").status() == 200,
                "the boot-intent resource");
        assertFalse(rest.get(intent, viewer, "a long password 1").json().get("stored").asBoolean());

        Rest.Response bad = rest.send("PUT", intent, "{\"intent\":\"NETWORK\"}", "admin", adminPassword);
        assertEquals(bad.body(), 400, bad.status());
        assertEquals("intent", bad.json().get("field").asText());
        assertEquals(403, rest.send("PUT", intent, "{\"intent\":\"LOCAL_DISK\"}", viewer, "a long password 1")
                .status());
        Rest.Response set = rest.send("PUT", intent, "{\"intent\":\"OS_INSTALLER\",\"kernel\":\"pxelinux/r9/vmlinuz\","
                + "\"bootArguments\":\"inst.ks=http://127.0.0.1/ks.cfg\",\"oneShot\":true}", "admin", adminPassword);
        assertEquals(set.body(), 200, set.status());
        JsonNode read = rest.get(intent, viewer, "a long password 1").json();
        assertEquals("OS_INSTALLER", read.get("intent").asText());
        assertEquals("pxelinux/r9/vmlinuz", read.get("kernel").asText());
        assertTrue(read.get("oneShot").asBoolean());
        assertEquals("admin", read.get("setBy").asText());

        Rest.Response before = rest.get("boot/status", viewer, "a long password 1");
        assertEquals(before.body(), 200, before.status());
        long completed = before.json().get("tftp").get("completed").asLong();
        theDatabaseLivesInTheDataFolderAndTftpServesTheBootFolder();
        Rest.awaitMillis(10_000, () -> rest.get("boot/status", viewer, "a long password 1").json().get("tftp")
                .get("completed").asLong() > completed, "the TFTP fetch counted as completed");
        JsonNode status = rest.get("boot/status", viewer, "a long password 1").json();
        assertTrue(status.toString(), status.get("tftp").get("running").asBoolean());
        assertTrue(status.toString(), status.get("tftp").get("bytesSent").asLong() > 0);
        assertEquals(status.toString(), 26508, status.get("ports").get("ftUnicast").asInt());

        assertEquals(204, rest.send("DELETE", intent, null, "admin", adminPassword).status());
        assertFalse(rest.get(intent, viewer, "a long password 1").json().get("stored").asBoolean());
    }

    /**
     * SCH-2: a machine whose model prefers the fake power driver uses it, one that names a driver uses that one; the
     * driver info's secret is stored sealed and never shown by REST or the shell; bad input is 400 naming the field.
     */
    @Test
    public void aMachinesPowerDriverComesFromItsModelOrItsOwnSettingAndItsSecretIsNeverShown() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String model = "ITest Power " + suffix;
        // A vendor's model plugin that prefers a driver which is not installed, then the fake one.
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put(DeployOsModel.PROPERTY, model);
        ServiceRegistration<DeployOsModel> vendor = context.registerService(DeployOsModel.class, new DeployOsModel() {
            @Override
            public DeployOs deployOs() {
                return new DeployOs("itest-power", "", "", "", List.of("x86_64"));
            }

            @Override
            public List<String> powerDrivers() {
                return List.of("ipmi", "fake");
            }
        }, properties);
        try {
            String group = "/power-" + suffix;
            assertEquals(201, rest.send("POST", "groups", "{\"path\":\"" + group + "\"}", "admin", adminPassword)
                    .status());
            Rest.Response m = rest.send("POST", "machines", "{\"groupPath\":\"" + group + "\",\"name\":\"power-"
                    + suffix + "\",\"macs\":[\"02-00-5E-20-00-01\"],\"model\":\"" + model + "\"}", "admin",
                    adminPassword);
            assertEquals(m.body(), 201, m.status());
            String power = "machines/" + m.json().get("id").asLong() + "/power";
            String viewer = createUser("viewer");
            // The fake power plugin is an installed feature of the distribution, not a boot feature.
            shell("feature:install opendpm-plugin-power-fake");
            Rest.awaitMillis(30_000, () -> {
                Rest.Response r = rest.get(power, viewer, "a long password 1");
                return r.status() == 200 && r.json().get("effectiveDriver").asText().equals("fake");
            }, "the power settings resource, with the fake driver installed");
            JsonNode byModel = rest.get(power, viewer, "a long password 1").json();
            assertEquals(byModel.toString(), "fake", byModel.get("effectiveDriver").asText());
            assertEquals(byModel.toString(), "MODEL", byModel.get("choice").asText());
            assertTrue(byModel.toString(), byModel.get("driver").isNull());
            assertTrue(byModel.toString(), byModel.get("driverInfoSchema").get("properties").get("password")
                    .get("writeOnly").asBoolean());

            String secret = "itest-Secret-" + suffix;
            assertEquals(403, rest.send("PUT", power, "{\"driver\":\"fake\"}", viewer, "a long password 1")
                    .status());
            Rest.Response unknownDriver = rest.send("PUT", power, "{\"driver\":\"ipmi\"}", "admin", adminPassword);
            assertEquals(unknownDriver.body(), 400, unknownDriver.status());
            assertEquals("driver", unknownDriver.json().get("field").asText());
            Rest.Response badInfo = rest.send("PUT", power, "{\"driverInfo\":{\"colour\":\"red\"}}", "admin",
                    adminPassword);
            assertEquals(badInfo.body(), 400, badInfo.status());
            assertEquals("driverInfo.colour", badInfo.json().get("field").asText());

            Rest.Response set = rest.send("PUT", power, "{\"driverInfo\":{\"bmcAddress\":\"192.0.2.10\","
                    + "\"password\":\"" + secret + "\"}}", "admin", adminPassword);
            assertEquals(set.body(), 200, set.status());
            assertFalse(set.body(), set.body().contains(secret));
            assertEquals("password", set.json().get("secretsSet").get(0).asText());
            assertEquals("MODEL", set.json().get("choice").asText());
            assertFalse(rest.get(power, viewer, "a long password 1").body().contains(secret));
            String shown = shell("dpm:machine-power-driver power-" + suffix);
            assertTrue(shown, shown.contains("fake (its model's choice"));
            assertTrue(shown, shown.contains("password   = ******** (secret, set)"));
            assertFalse(shown, shown.contains(secret));
            assertTrue(Files.isRegularFile(Path.of(System.getProperty("karaf.data"), "power", "driver-info.key")));
            assertEquals(202, rest.send("POST", power, "{\"action\":\"on\"}", "admin", adminPassword).status());

            // Named by the machine, the wol driver wins over the model's.
            String named = shell("dpm:machine-power-driver --driver wol power-" + suffix);
            assertTrue(named, named.contains("wol (named by the machine)"));
            JsonNode explicit = rest.get(power, viewer, "a long password 1").json();
            assertEquals(explicit.toString(), "EXPLICIT", explicit.get("choice").asText());
            assertEquals(explicit.toString(), 0, explicit.get("secretsSet").size());
        } finally {
            vendor.unregister();
        }
    }

    @Test
    public void deployOsSessionsAndPublishedFilesAreServicesOfTheDistribution() throws Exception {
        String group = "/dos-" + UUID.randomUUID().toString().substring(0, 8);
        assertEquals(201, rest.send("POST", "groups", "{\"path\":\"" + group + "\"}", "admin", adminPassword).status());
        Rest.Response m = rest.send("POST", "machines", "{\"groupPath\":\"" + group + "\",\"name\":\"dos-"
                + group.substring(5) + "\",\"macs\":[\"02-00-5E-10-00-02\"]}", "admin", adminPassword);
        assertEquals(m.body(), 201, m.status());
        long machine = m.json().get("id").asLong();

        DeployOsSessions sessions = service(DeployOsSessions.class);
        sessions.issue(machine, 9001, Instant.now().plusSeconds(600));
        String token = sessions.token(machine).orElseThrow();
        assertEquals(Long.valueOf(9001), sessions.redeem("02:00:5e:10:00:02", token).orElseThrow());
        assertFalse(sessions.redeem("02:00:5e:10:00:02", token).isPresent());
        assertTrue(Files.isRegularFile(Path.of(System.getProperty("karaf.data"), "netboot",
                "deployos-session.key")));

        PublishedFiles published = service(PublishedFiles.class);
        String path = published.publish(9001, "ks.cfg", "reboot\n".getBytes(StandardCharsets.UTF_8),
                "text/plain; charset=utf-8", Instant.now().plusSeconds(600));
        URL url = new URL("http://127.0.0.1:" + Integer.getInteger(Container.HTTP_PORT) + path);
        Rest.awaitMillis(30_000, () -> status(url) == 200, "the published file over HTTP");
        try (InputStream in = url.openStream()) {
            assertEquals("reboot\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(1, published.withdraw(9001));
        assertEquals(404, status(url));
    }

    private <T> T service(Class<T> type) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            var ref = context.getServiceReference(type);
            if (ref != null) {
                return context.getService(ref);
            }
            Thread.sleep(100);
        }
        throw new AssertionError(type.getName() + " is not registered");
    }

    private static int status(URL url) {
        try {
            java.net.HttpURLConnection c = (java.net.HttpURLConnection) url.openConnection();
            try {
                return c.getResponseCode();
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    public void theDatabaseGoingAwayGives503AndItsReturnHeals() throws Exception {
        Bundle driver = null;
        for (Bundle b : context.getBundles()) {
            if ("org.ops4j.pax.jdbc.derby".equals(b.getSymbolicName())) {
                driver = b;
            }
        }
        assertNotNull(driver);
        driver.stop();
        try {
            Rest.awaitMillis(10_000, () -> rest.get("settings", "admin", adminPassword).status() == 503,
                    "503 without the DataSource");
            Rest.Response r = rest.get("settings", "admin", adminPassword);
            assertEquals("Database unavailable", r.json().get("title").asText());
            assertTrue(r.body(), r.json().get("detail").asText().contains("DataSource"));
            // Calls that need no database still work.
            assertEquals(200, rest.get("plugins", "admin", adminPassword).status());
        } finally {
            driver.start();
        }
        Rest.awaitMillis(10_000, () -> rest.get("settings", "admin", adminPassword).status() == 200,
                "settings back with the DataSource");
    }
}
