package org.opendpm.rest.internal.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.catchIt;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.problem;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.roles;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;
import org.opendpm.api.plugin.PluginInfo;
import org.opendpm.api.plugin.PluginKind;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.ScenarioTypeDto;
import org.opendpm.rest.internal.json.JsonProvider;
import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;

/** SCN-2: the installed scenario types and their settings schemas over REST, against a plugin registry double. */
public class ScenarioTypeResourceTest {

    private static final String DISK_CHECK_SCHEMA = "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
            + "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{}}";
    private static final String FAKE_SCHEMA = "{\"type\":\"object\",\"required\":[\"command\"],\"properties\":{"
            + "\"command\":{\"type\":\"string\",\"maxLength\":1024},\"expectedExitCode\":{\"type\":\"integer\","
            + "\"minimum\":0,\"maximum\":255}}}";

    /** A scenario type that answers what it is given; {@code schema} null makes settingsSchema() throw. */
    private static ScenarioType type(String name, boolean deployOs, String schema) {
        return new ScenarioType() {
            @Override
            public String displayName() {
                return name;
            }

            @Override
            public int settingsVersion() {
                return 2;
            }

            @Override
            public String settingsSchema() {
                if (schema == null) {
                    throw new IllegalStateException("schema resource missing");
                }
                return schema;
            }

            @Override
            public boolean needsDeployOs() {
                return deployOs;
            }

            @Override
            public List<SettingViolation> validate(Map<String, Object> settings) {
                throw new AssertionError("not used by this resource");
            }

            @Override
            public List<Step> plan(Map<String, Object> settings, PlanTarget target) {
                throw new AssertionError("not used by this resource");
            }
        };
    }

    private final List<PluginInfo> infos = new ArrayList<>();
    private final Map<String, ScenarioType> types = new java.util.HashMap<>();

    private final PluginRegistry registry = (PluginRegistry) Proxy.newProxyInstance(
            PluginRegistry.class.getClassLoader(), new Class<?>[]{ PluginRegistry.class }, (proxy, m, args) -> {
                switch (m.getName()) {
                case "plugins":
                    return infos;
                case "scenarioType":
                    return Optional.ofNullable(types.get((String) args[0]));
                default:
                    throw new AssertionError("not used by this resource: " + m.getName());
                }
            });

    private final ScenarioTypeResource resource = new ScenarioTypeResource(registry);

    private void install(String key, String bundle, long serviceId, boolean winner, ScenarioType type) {
        infos.add(new PluginInfo(PluginKind.SCENARIO_TYPE, key, bundle, "1.0.0", 40 + serviceId, serviceId, 0,
                winner));
        if (winner) {
            types.put(key, type);
        }
    }

    private void installTheUsualTypes() {
        install("disk-check", "org.opendpm.plugin.scenario.diskcheck", 10, true, type("Disk Check", true,
                DISK_CHECK_SCHEMA));
        install("fake", "org.opendpm.plugin.scenario.fake", 11, true, type("Fake command", false, FAKE_SCHEMA));
        // Another claimant of "fake" that loses, and plugins of other kinds: neither is a scenario type to list.
        install("fake", "com.example.other", 12, false, null);
        infos.add(new PluginInfo(PluginKind.POWER_DRIVER, "fake", "org.opendpm.plugin.power.fake", "1.0.0", 50, 13, 0,
                true));
    }

    @Test
    public void everyMethodIsReadByViewersAndDocumented() {
        assertThat(roles(ScenarioTypeResource.class)).containsExactlyInAnyOrderEntriesOf(Map.of("list",
                Roles.VIEWER, "get", Roles.VIEWER));
    }

    @Test
    public void theWinningScenarioTypesWithTheirSchemaAsAnObject() throws Exception {
        installTheUsualTypes();
        List<ScenarioTypeDto> list = resource.list();
        assertThat(list).extracting(ScenarioTypeDto::key).containsExactly("disk-check", "fake");
        ScenarioTypeDto disk = list.get(0);
        assertThat(disk.displayName()).isEqualTo("Disk Check");
        assertThat(disk.needsDeployOs()).isTrue();
        assertThat(disk.settingsVersion()).isEqualTo(2);
        assertThat(disk.bundle()).isEqualTo("org.opendpm.plugin.scenario.diskcheck");
        assertThat(disk.bundleVersion()).isEqualTo("1.0.0");
        assertThat(disk.schemaError()).isNull();
        assertThat(disk.settingsSchema()).containsEntry("type", "object").containsEntry("additionalProperties",
                false).containsEntry("properties", Map.of());
        ScenarioTypeDto fake = list.get(1);
        assertThat(fake.needsDeployOs()).isFalse();
        assertThat(fake.bundle()).isEqualTo("org.opendpm.plugin.scenario.fake");

        // On the wire the schema is a JSON object, not a string, and schemaError is left out.
        String json = JsonProvider.mapper().writeValueAsString(fake);
        assertThat(json).contains("\"settingsSchema\":{\"type\":\"object\",\"required\":[\"command\"]")
                .doesNotContain("schemaError");
        assertThat(JsonProvider.mapper().readTree(json).get("settingsSchema").get("properties").get("command")
                .get("maxLength").asInt()).isEqualTo(1024);
    }

    @Test
    public void oneTypeByKeyAndAnUnknownKeyIs404NamingIt() {
        installTheUsualTypes();
        assertThat(resource.get("fake").displayName()).isEqualTo("Fake command");
        assertThat(resource.get(" disk-check ").key()).isEqualTo("disk-check");
        assertThat(problem(catchIt(() -> resource.get("backup-restore")), 404).detail())
                .isEqualTo("No scenario type 'backup-restore' is installed");
        // A power driver's key is not a scenario type's.
        infos.add(new PluginInfo(PluginKind.POWER_DRIVER, "ipmi", "b", "1", 1, 99, 0, true));
        assertThat(problem(catchIt(() -> resource.get("ipmi")), 404).detail()).contains("'ipmi'");
        assertThat(problem(catchIt(() -> resource.get("x".repeat(5000))), 404).detail()).hasSizeLessThan(200);
    }

    @Test
    public void aTypeThatLeftBetweenTheTwoQuestionsIsNotListed() {
        installTheUsualTypes();
        types.remove("fake");
        assertThat(resource.list()).extracting(ScenarioTypeDto::key).containsExactly("disk-check");
        assertThat(problem(catchIt(() -> resource.get("fake")), 404).status()).isEqualTo(404);
    }

    /** A broken plugin does not break the list: its entry carries the reason, logged once however often it is read. */
    @Test
    public void aBrokenSchemaIsShownWithTheReasonAndLoggedOnce() {
        installTheUsualTypes();
        install("broken", "com.example.broken", 20, true, type("Broken", false, "{\"type\":\"object\","));
        install("array", "com.example.array", 21, true, type("Array", false, "[1,2]"));
        install("throws", "com.example.throws", 22, true, type("Throws", false, null));
        List<ScenarioTypeDto> list = resource.list();
        assertThat(list).extracting(ScenarioTypeDto::key).containsExactly("disk-check", "fake", "broken", "array",
                "throws");
        ScenarioTypeDto broken = list.get(2);
        assertThat(broken.settingsSchema()).isNull();
        assertThat(broken.displayName()).isEqualTo("Broken");
        assertThat(broken.bundle()).isEqualTo("com.example.broken");
        assertThat(broken.schemaError()).startsWith("The settings schema is not valid JSON (line 1, column");
        assertThat(list.get(3).schemaError()).isEqualTo("The settings schema is not a JSON object but array");
        assertThat(list.get(4).schemaError()).contains("failed to describe").contains("schema resource missing");
        assertThat(list.get(0).schemaError()).isNull();

        resource.list();
        resource.get("broken");
        assertThat(resource.logged).hasSize(3);
    }

    @Test
    public void schemasAreReadStrictlyAndWithinBounds() {
        assertThat(ScenarioTypeResource.parse(FAKE_SCHEMA).error()).isNull();
        assertThat(ScenarioTypeResource.parse(null).error()).isEqualTo("The settings schema is empty");
        assertThat(ScenarioTypeResource.parse("  ").error()).isEqualTo("The settings schema is empty");
        assertThat(ScenarioTypeResource.parse("\"object\"").error()).endsWith("but string");
        assertThat(ScenarioTypeResource.parse("{\"type\":\"object\"} {}").error()).contains("not valid JSON");
        assertThat(ScenarioTypeResource.parse("{\"type\":\"object\",\"type\":\"string\"}").error())
                .contains("Duplicate field 'type'");
        String tooLong = "{\"description\":\"" + "x".repeat(ScenarioTypeResource.MAX_SCHEMA_CHARS) + "\"}";
        assertThat(ScenarioTypeResource.parse(tooLong).error()).contains("the limit is "
                + ScenarioTypeResource.MAX_SCHEMA_CHARS);
        String deep = "{\"a\":".repeat(ScenarioTypeResource.MAX_SCHEMA_DEPTH + 1) + "1"
                + "}".repeat(ScenarioTypeResource.MAX_SCHEMA_DEPTH + 1);
        assertThat(ScenarioTypeResource.parse(deep).error()).contains("not valid JSON").contains("depth");
        String deepEnough = "{\"a\":".repeat(ScenarioTypeResource.MAX_SCHEMA_DEPTH) + "1"
                + "}".repeat(ScenarioTypeResource.MAX_SCHEMA_DEPTH);
        assertThat(ScenarioTypeResource.parse(deepEnough).error()).isNull();
    }
}
