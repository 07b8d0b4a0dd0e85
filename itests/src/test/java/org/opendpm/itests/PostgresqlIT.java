package org.opendpm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.w3c.dom.Element;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The distribution switched to PostgreSQL by configuration alone, as the README says: the PostgreSQL feature booted
 * instead of the Derby one and {@code etc/org.ops4j.datasource-opendpm.cfg} pointing at the server. The server is
 * named by {@code OPENDPM_TEST_POSTGRES_URL}, {@code _USER} and {@code _PASSWORD} (`.ci/run` starts one on
 * loopback); without them the test fails under CI and is skipped elsewhere.
 */
public class PostgresqlIT {

    private static final String URL = System.getenv("OPENDPM_TEST_POSTGRES_URL");
    private static final String USER = System.getenv("OPENDPM_TEST_POSTGRES_USER");
    private static final String PASSWORD = System.getenv("OPENDPM_TEST_POSTGRES_PASSWORD");

    private Process server;
    private String schema;

    @Before
    public void postgresqlIsThere() throws Exception {
        String missing = "no PostgreSQL to test against: set OPENDPM_TEST_POSTGRES_URL/_USER/_PASSWORD "
                + "(Debian package postgresql; .ci/run starts one)";
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(missing, URL != null && USER != null && PASSWORD != null);
        } else {
            assumeTrue(missing, URL != null && USER != null && PASSWORD != null);
        }
        schema = "opendpm_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD)) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        }
    }

    @After
    public void cleanUp() throws Exception {
        if (server != null) {
            Distribution.stop(server);
        }
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD)) {
                c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    @Test
    public void theServerRunsOnPostgresqlByConfigurationAlone() throws Exception {
        var unpacked = Distribution.unpack("postgresql");
        Path home = unpacked.getKey();
        Path features = home.resolve("etc/org.apache.karaf.features.cfg");
        String boot = Files.readString(features);
        assertTrue(boot.contains("opendpm-store-derby"));
        Files.writeString(features, boot.replace("opendpm-store-derby", "opendpm-store-postgresql"));
        String sep = URL.contains("?") ? "&" : "?";
        Files.writeString(home.resolve("etc/org.ops4j.datasource-opendpm.cfg"), String.join("\n",
                "osgi.jdbc.driver.name = PostgreSQL JDBC Driver",
                "dataSourceName = opendpm",
                "url = " + URL + sep + "currentSchema=" + schema,
                "user = " + USER,
                "password = " + PASSWORD,
                "pool = dbcp2",
                "xa = false", ""));

        Rest rest = new Rest(unpacked.getValue());
        String admin = "postgres admin password";
        server = Distribution.start(home, Map.of("OPENDPM_ADMIN_PASSWORD", admin));
        Distribution.awaitUp(rest, home);
        Rest.awaitMillis(60_000, () -> rest.get("server", "admin", admin).status() == 200, "admin login");
        String database = rest.get("server", "admin", admin).json().get("database").asText();
        assertTrue(database, database.startsWith("PostgreSQL"));

        assertEquals(200, rest.send("PATCH", "settings", "{\"scenarioTimeoutMinutes\": 90}", "admin", admin)
                .status());
        assertEquals(201, rest.send("POST", "groups", "{\"path\": \"/Tokyo\"}", "admin", admin).status());
        Rest.Response group = rest.send("POST", "groups", "{\"path\": \"/Tokyo/Rack1\"}", "admin", admin);
        assertEquals(group.body(), 201, group.status());
        String csv = "group_path,name,macs,uuid,ip,model,deploy_os\r\n"
                + "/Tokyo/Rack1,pg-node-1,00:50:56:00:00:01,,192.168.10.1,NEC Express5800 002,\r\n"
                + "/Tokyo/Rack1,pg-node-2,00-50-56-00-00-02,,192.168.10.2,,ia32_121228_26\r\n";
        Rest.Response imported = rest.send("POST", "machines/import", "text/csv", csv, "admin", admin);
        assertEquals(imported.body(), 200, imported.status());
        Rest.Response duplicate = rest.send("POST", "machines/import", "text/csv", csv, "admin", admin);
        assertEquals(duplicate.body(), 400, duplicate.status());
        Rest.Response page = rest.get("machines?groupPath=/Tokyo&subgroups=true&q=pg-node&limit=1&offset=1",
                "admin", admin);
        assertEquals(page.body(), 200, page.status());
        assertEquals(2, page.json().get("total").asInt());
        assertEquals(1, page.json().get("machines").size());

        // Scenarios, executions and schedules on PostgreSQL: a scenario without tabs is accepted and assigned, and
        // its execution ends at once with the reason (nothing to do); a schedule is stored with its next firing.
        long machine = page.json().get("machines").get(0).get("id").asLong();
        long scenarioGroup = rest.send("POST", "scenario-groups", "{\"path\": \"/pg\"}", "admin", admin).json()
                .get("id").asLong();
        Rest.Response scenario = rest.send("POST", "scenarios", "{\"name\": \"Empty\", \"groupId\": " + scenarioGroup
                + "}", "admin", admin);
        assertEquals(scenario.body(), 201, scenario.status());
        long scenarioId = scenario.json().get("id").asLong();
        Rest.Response executed = rest.send("POST", "executions", "{\"machineIds\": [" + machine + "], \"scenarioId\": "
                + scenarioId + "}", "admin", admin);
        assertEquals(executed.body(), 201, executed.status());
        Rest.awaitMillis(30_000, () -> rest.get("results?machineId=" + machine, "admin", admin).json().get("total")
                .asInt() == 1, "the execution's result");
        assertEquals("Scenario Empty has nothing to do", rest.get("results?machineId=" + machine, "admin", admin)
                .json().get("results").get(0).get("message").asText());
        Rest.Response schedule = rest.send("POST", "schedules", "{\"name\": \"nightly\", \"kind\": \"EXECUTE\", "
                + "\"scenarioId\": " + scenarioId + ", \"machineIds\": [" + machine + "], \"cron\": \"0 0 2 * * ?\", "
                + "\"timeZone\": \"Asia/Tokyo\"}", "admin", admin);
        assertEquals(schedule.body(), 201, schedule.status());
        assertTrue(schedule.body(), schedule.json().get("nextFireAt").asText().endsWith("+09:00"));

        // The Result List's group filter, and the machine list's IP order by the address's number (192.168.10.10
        // after 192.168.10.2), also for addresses stored before that number existed (the migration's PostgreSQL SQL).
        long rack = group.json().get("id").asLong();
        assertEquals(1, rest.get("results?groupId=" + rack, "admin", admin).json().get("total").asInt());
        Rest.Response tenth = rest.send("POST", "machines/import", "text/csv", "group_path,name,macs\r\n"
                + "/Tokyo/Rack1,pg-node-10,00:50:56:00:00:0a\r\n", "admin", admin);
        assertEquals(tenth.body(), 200, tenth.status());
        JsonNode ip = rest.send("PUT", "machines/" + rest.get("machines?groupPath=/Tokyo/Rack1&q=pg-node-10", "admin",
                admin).json().get("machines").get(0).get("id").asLong(), "{\"name\": \"pg-node-10\", \"macs\": "
                        + "[\"00:50:56:00:00:0a\"], \"ip\": \"192.168.10.10\"}",
                "admin", admin).json();
        assertEquals(ip.toString(), "192.168.10.10", ip.get("ip").asText());
        assertEquals(List.of("pg-node-1", "pg-node-2", "pg-node-10"), names(rest.get(
                "machines?group=" + rack + "&sort=ip", "admin", admin).json()));
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD)) {
            c.createStatement().execute("SET search_path TO " + schema);
            c.createStatement().executeUpdate("UPDATE machine SET ip_key = NULL");
            c.createStatement().executeUpdate(changeSetSql("11-machine-ip-key-postgresql"));
        }
        assertEquals(List.of("pg-node-10", "pg-node-2", "pg-node-1"), names(rest.get(
                "machines?group=" + rack + "&sort=-ip", "admin", admin).json()));

        // The rows are in PostgreSQL, in the schema the configuration named.
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD)) {
            var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + schema + ".machine");
            rs.next();
            assertEquals(3, rs.getInt(1));
            rs = c.createStatement().executeQuery(
                    "SELECT setting_value FROM " + schema + ".server_setting WHERE name = 'scenarioTimeoutMinutes'");
            assertTrue(rs.next());
            assertEquals("90", rs.getString(1));
        }
        assertFalse("no Derby database was created", Files.exists(home.resolve("data/opendpm")));
    }

    private static List<String> names(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.get("machines").forEach(m -> names.add(m.get("name").asText()));
        return names;
    }

    /** The SQL of one changeSet of the store's inventory changelog, as shipped. */
    private static String changeSetSql(String id) throws Exception {
        Path changelog = Path.of("..", "bundles", "org.opendpm.store", "src", "main", "resources", "org", "opendpm",
                "store", "db", "inventory.xml");
        var sets = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(changelog.toFile())
                .getElementsByTagName("changeSet");
        for (int i = 0; i < sets.getLength(); i++) {
            Element set = (Element) sets.item(i);
            if (set.getAttribute("id").equals(id)) {
                return set.getElementsByTagName("sql").item(0).getTextContent();
            }
        }
        throw new AssertionError("no changeSet " + id + " in " + changelog);
    }
}
