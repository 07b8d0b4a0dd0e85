package org.opendpm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.inject.Inject;

import org.apache.karaf.shell.api.console.SessionFactory;
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
 * Scenarios on the real distribution, booted once: a scenario with a tab of the fake scenario-type plugin (installed
 * and removed as a feature) through REST, its validation, its assignment to machines of the inventory, the shell
 * commands, and the protected Built-in Scenarios (SCN-1 to SCN-5); and, as the smallest class that boots the
 * distribution, that the image store answers.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ScenarioIT {

    private static final String FAKE_FEATURE = "opendpm-plugin-scenario-fake";
    private static final String BUILT_IN = "/Built-in%20Scenarios";

    @Inject
    private SessionFactory sessions;

    private Rest rest;
    private String adminPassword;

    @Configuration
    public Option[] configuration() throws IOException {
        return Container.options();
    }

    @Before
    public void serverIsUp() throws IOException {
        rest = Container.rest();
        adminPassword = Container.adminPassword();
        Rest.awaitMillis(30_000, () -> rest.get("scenario-groups", "admin", adminPassword).status() == 200,
                "scenario API reachable");
    }

    private Rest.Response admin(String method, String path, String json) {
        return rest.send(method, path, json, "admin", adminPassword);
    }

    private static JsonNode ok(Rest.Response r, int status) {
        assertEquals(r.body(), status, r.status());
        return r.body().isEmpty() ? null : r.json();
    }

    private boolean fakePluginListed() {
        for (JsonNode p : ok(admin("GET", "plugins", null), 200)) {
            if (p.get("key").asText().equals("fake")) {
                return true;
            }
        }
        return false;
    }

    private JsonNode scenarioNamed(String name) {
        for (JsonNode s : ok(admin("GET", "scenarios", null), 200)) {
            if (s.get("name").asText().equals(name)) {
                return s;
            }
        }
        throw new AssertionError("scenario " + name + " not listed");
    }

    @Test
    public void fakeTabScenarioIsValidatedAssignedAndUnavailableWithoutItsPlugin() throws Exception {
        Container.shell(sessions, "feature:install " + FAKE_FEATURE);
        Rest.awaitMillis(10_000, this::fakePluginListed, "fake scenario type registered");
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String operator = "operator-" + suffix;
        ok(admin("POST", "users", "{\"name\":\"" + operator + "\",\"password\":\"a long password 1\","
                + "\"roles\":[\"operator\"]}"), 201);

        // SCN-1: a nested scenario group, addressed by path.
        long group = ok(admin("POST", "scenario-groups", "{\"path\":\"/it-" + suffix + "\"}"), 201).get("id")
                .asLong();
        long sub = ok(admin("POST", "scenario-groups", "{\"path\":\"/it-" + suffix + "/Web\"}"), 201).get("id")
                .asLong();
        assertEquals(sub, ok(admin("GET", "scenario-groups/by-path?path=/it-" + suffix + "/Web", null), 200)
                .get("id").asLong());

        // SCN-2: a bad fake tab is refused naming the setting, and nothing is created; the good one beside it is.
        String name = "it-scenario-" + suffix;
        Rest.Response bad = admin("POST", "scenarios", "{\"name\":\"" + name + "\",\"groupId\":" + sub
                + ",\"tabs\":{\"fake\":{\"expectedExitCode\":3}}}");
        assertEquals(bad.body(), 400, bad.status());
        assertEquals(bad.body(), "tabs.fake.command", bad.json().get("field").asText());
        Rest.Response noPlugin = admin("POST", "scenarios", "{\"name\":\"" + name + "\",\"groupId\":" + sub
                + ",\"tabs\":{\"no-such-type\":{}}}");
        assertEquals(noPlugin.body(), 400, noPlugin.status());
        assertEquals("tabs.no-such-type", noPlugin.json().get("field").asText());
        assertEquals(0, ok(admin("GET", "scenarios?group=" + sub, null), 200).size());

        // SCN-2, SCN-3: the fake tab and the Option tab are kept.
        JsonNode created = ok(admin("POST", "scenarios", "{\"name\":\"" + name + "\",\"groupPath\":\"/it-" + suffix
                + "/Web\",\"tabs\":{\"fake\":{\"command\":\"echo hi\",\"expectedExitCode\":3}},"
                + "\"options\":{\"powerOffAfterExecution\":true}}"), 201);
        long scenario = created.get("id").asLong();
        assertEquals("echo hi", created.get("tabs").get("fake").get("command").asText());
        assertEquals(1, created.get("tabVersions").get("fake").asInt());
        assertTrue(created.get("options").get("powerOffAfterExecution").asBoolean());
        assertFalse(created.get("options").get("forcedRebootBeforeExecution").asBoolean());
        assertTrue(created.get("available").asBoolean());

        // SCN-5: machines from the inventory REST; the operator assigns; one scenario per machine.
        ok(admin("POST", "groups", "{\"path\":\"/it-" + suffix + "\"}"), 201);
        List<Long> machines = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            machines.add(ok(admin("POST", "machines", "{\"groupPath\":\"/it-" + suffix + "\",\"name\":\"it-m" + i
                    + "-" + suffix + "\",\"macs\":[\"02-00-5C-00-00-0" + i + "\"]}"), 201).get("id").asLong());
        }
        String ids = "{\"machineIds\":[" + machines.get(0) + "," + machines.get(1) + "]}";
        String viewer = "viewer-" + suffix;
        ok(admin("POST", "users", "{\"name\":\"" + viewer + "\",\"password\":\"a long password 1\","
                + "\"roles\":[\"viewer\"]}"), 201);
        assertEquals(403, rest.send("POST", "scenarios/" + scenario + "/assignments", ids, viewer,
                "a long password 1").status());
        assertEquals(0, ok(rest.get("scenarios/" + scenario + "/assignments", viewer, "a long password 1"), 200)
                .size());
        JsonNode assigned = ok(rest.send("POST", "scenarios/" + scenario + "/assignments", ids, operator,
                "a long password 1"), 200);
        assertEquals(2, assigned.size());
        assertEquals(name, ok(admin("GET", "machines/" + machines.get(0) + "/assignment", null), 200)
                .get("scenarioName").asText());
        assertEquals(2, ok(admin("GET", "scenarios/" + scenario + "/assignments", null), 200).size());
        // Assigning again from the shell, by names, replaces rather than adds: still one row per machine.
        String byShell = Container.shell(sessions, "dpm:scenario-assign " + name + " it-m0-" + suffix + " it-m1-"
                + suffix);
        assertTrue(byShell, byShell.contains("assigned to 2 machines"));
        assertEquals(2, ok(admin("GET", "scenarios/" + scenario + "/assignments", null), 200).size());
        Rest.Response unknownMachine = admin("POST", "scenarios/" + scenario + "/assignments",
                "{\"machineIds\":[987654321]}");
        assertEquals(unknownMachine.body(), 400, unknownMachine.status());
        assertEquals("machineIds", unknownMachine.json().get("field").asText());

        Rest.Response inUse = admin("DELETE", "scenarios/" + scenario, null);
        assertEquals(inUse.body(), 409, inUse.status());
        assertTrue(inUse.body(), inUse.json().get("detail").asText().contains("assigned to 2 machines"));

        String listed = Container.shell(sessions, "dpm:scenario-list --group /it-" + suffix + "/Web");
        assertTrue(listed, listed.contains(name));
        String shown = Container.shell(sessions, "dpm:scenario-show " + name);
        assertTrue(shown, shown.contains("command = echo hi") && shown.contains("Assigned:  2 machines"));

        // The plugin leaves: the scenario stays, listed as unavailable, and says it cannot execute.
        Container.shell(sessions, "feature:uninstall " + FAKE_FEATURE);
        long gone = Rest.awaitMillis(2_000, () -> !scenarioNamed(name).get("available").asBoolean(),
                "scenario unavailable without its plugin");
        System.out.println("scenario unavailable " + gone + " ms after feature:uninstall");
        assertEquals("plugin unavailable: fake", scenarioNamed(name).get("unavailableReason").asText());
        JsonNode exec = ok(admin("GET", "scenarios/" + scenario + "/executability", null), 200);
        assertFalse(exec.get("executable").asBoolean());
        assertEquals("plugin unavailable: fake", exec.get("reason").asText());

        // Unassign one machine; deleting the other machine takes its assignment along; then the scenario can go.
        ok(rest.send("DELETE", "machines/" + machines.get(0) + "/assignment", null, operator, "a long password 1"),
                204);
        assertEquals(404, admin("DELETE", "machines/" + machines.get(0) + "/assignment", null).status());
        ok(admin("DELETE", "machines/" + machines.get(1), null), 204);
        assertEquals(0, ok(admin("GET", "scenarios/" + scenario + "/assignments", null), 200).size());
        ok(admin("DELETE", "scenarios/" + scenario, null), 204);
        ok(admin("DELETE", "scenario-groups/" + sub, null), 204);
        ok(admin("DELETE", "scenario-groups/" + group, null), 204);
        ok(admin("DELETE", "groups/" + ok(admin("GET", "groups/by-path?path=/it-" + suffix, null), 200).get("id")
                .asLong() + "?recursive=true", null), 204);
    }

    @Test
    public void builtInScenariosCannotBeDeletedRenamedOrChanged() {
        JsonNode group = ok(admin("GET", "scenario-groups/by-path?path=" + BUILT_IN, null), 200);
        assertTrue(group.get("builtIn").asBoolean());
        long id = group.get("id").asLong();
        List<String> names = new ArrayList<>();
        for (JsonNode s : ok(admin("GET", "scenarios?group=" + id, null), 200)) {
            names.add(s.get("name").asText());
            assertTrue(s.get("builtIn").asBoolean());
        }
        assertEquals(List.of("System_LinuxMasterSetup", "System_WindowsMasterSetup", "System_WindowsMasterSetupVM"),
                names);

        // SCN-4: the group cannot be deleted or renamed, its scenarios neither changed nor deleted.
        Rest.Response deleteGroup = admin("DELETE", "scenario-groups/" + id, null);
        assertEquals(deleteGroup.body(), 409, deleteGroup.status());
        assertEquals(409, admin("PATCH", "scenario-groups/" + id, "{\"name\":\"Mine\"}").status());
        long linux = scenarioNamed("System_LinuxMasterSetup").get("id").asLong();
        Rest.Response deleteScenario = admin("DELETE", "scenarios/" + linux, null);
        assertEquals(deleteScenario.body(), 409, deleteScenario.status());
        assertTrue(deleteScenario.body(), deleteScenario.json().get("detail").asText().contains("cannot be deleted"));
        assertEquals(409, admin("PUT", "scenarios/" + linux, "{\"name\":\"System_LinuxMasterSetup\",\"groupId\":" + id
                + ",\"options\":{\"powerOffAfterExecution\":true}}").status());
        assertFalse(scenarioNamed("System_LinuxMasterSetup").get("options").get("powerOffAfterExecution")
                .asBoolean());
        assertEquals(id, ok(admin("GET", "scenario-groups/by-path?path=" + BUILT_IN, null), 200).get("id").asLong());
    }

    /**
     * IMG-1: the image store's bundles (org.opendpm.image with zstd-jni's native code) resolve in the distribution,
     * and a fresh server's image folder lists no images.
     */
    @Test
    public void theImageStoreAnswersWithAnEmptyImageFolder() {
        JsonNode images = ok(admin("GET", "images", null), 200);
        assertTrue(images.toString(), images.isArray());
        assertEquals(images.toString(), 0, images.size());
    }
}
