package org.opendpm.scheduler.internal.scenario;

import org.opendpm.scheduler.internal.*;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;

import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.scenario.Executability;
import org.opendpm.api.scenario.Scenario;
import org.opendpm.api.scenario.ScenarioOptions;
import org.opendpm.api.scenario.ScenarioSpec;

/** Scenarios: plugin tabs (SCN-2), the Option tab (SCN-3) and the built-in scenarios (SCN-4). */
public class ScenariosTest {

    private static Map<String, Map<String, Object>> tab(String type, Map<String, Object> settings) {
        return Map.of(type, settings);
    }

    private static ValidationException refusal(Runnable r) {
        try {
            r.run();
        } catch (ValidationException e) {
            return e;
        }
        throw new AssertionError("expected a ValidationException");
    }

    @Test
    public void scn2Scn3AScenarioKeepsItsTabsAndOptions() {
        var f = new Fixture();
        f.plugins.types.put("cmd", new TestTypes.Command(1, true));
        long group = f.service.createGroup("/Linux").id();
        Scenario s = f.service.createScenario(new ScenarioSpec(" Web setup ", group,
                tab("cmd", Map.of("command", "apt-get install nginx")), new ScenarioOptions(true, false)));
        assertThat(s.name()).isEqualTo("Web setup");
        assertThat(s.groupPath()).isEqualTo("/Linux");
        assertThat(s.options()).isEqualTo(new ScenarioOptions(true, false));
        assertThat(s.available()).isTrue();
        assertThat(s.tabs()).hasSize(1);
        assertThat(s.tabs().get(0).type()).isEqualTo("cmd");
        assertThat(s.tabs().get(0).settingsVersion()).isEqualTo(1);
        assertThat(s.tabs().get(0).settings()).containsExactly(Map.entry("command", "apt-get install nginx"));
        assertThat(f.service.findScenario("WEB SETUP")).contains(s);
        assertThat(f.service.scenarios(Optional.of(group))).containsExactly(s);
        assertThat(f.service.scenarioNames("web", 10)).containsExactly("Web setup");
        assertThat(f.service.executability(s.id())).isEqualTo(new Executability(true, Optional.empty(), true));

        Scenario changed = f.service.updateScenario(s.id(), new ScenarioSpec("Web setup 2", group,
                Map.of(), new ScenarioOptions(false, true)));
        assertThat(changed.tabs()).isEmpty();
        assertThat(changed.options().powerOffAfterExecution()).isTrue();
        assertThat(f.count("scenario_tab")).isZero();
    }

    @Test
    public void scn2ABadTabIsRefusedNamingTheSettingAndNothingIsWritten() {
        var f = new Fixture();
        f.plugins.types.put("cmd", new TestTypes.Command(1, false));
        long group = f.service.createGroup("/g").id();
        ValidationException e = refusal(() -> f.service.createScenario(new ScenarioSpec("bad", group,
                tab("cmd", Map.of("command", 5)), null)));
        assertThat(e.field()).isEqualTo("tabs.cmd.command");
        assertThat(e).hasMessageContaining("a string is required");
        ValidationException unknown = refusal(() -> f.service.createScenario(new ScenarioSpec("bad", group,
                tab("cmd", Map.of("command", "x", "extra", 1)), null)));
        assertThat(unknown.field()).isEqualTo("tabs.cmd.extra");
        assertThat(f.count("scenario")).isEqualTo(3);

        // The good one beside it is created; then a bad update leaves it as it was.
        Scenario good = f.service.createScenario(new ScenarioSpec("good", group, tab("cmd", Map.of("command", "x")),
                null));
        refusal(() -> f.service.updateScenario(good.id(), new ScenarioSpec("good", group, tab("cmd", Map.of()),
                null)));
        assertThat(f.service.scenario(good.id())).isEqualTo(good);
    }

    @Test
    public void scn2ATabWithoutItsPluginIsRefusedNamingTheTab() {
        var f = new Fixture();
        long group = f.service.createGroup("/g").id();
        ValidationException e = refusal(() -> f.service.createScenario(new ScenarioSpec("s", group,
                tab("os-linux", Map.of("x", 1)), null)));
        assertThat(e.field()).isEqualTo("tabs.os-linux");
        assertThat(e).hasMessageContaining("No scenario-type plugin 'os-linux'");
        assertThat(refusal(() -> f.service.createScenario(new ScenarioSpec("s", group, tab("Bad Key", Map.of()),
                null))).field()).isEqualTo("tabs");
        assertThat(f.service.findScenario("s")).isEmpty();
    }

    @Test
    public void scn2AScenarioWhosePluginLeftIsUnavailableAndCannotExecuteUntilItReturns() {
        var f = new Fixture();
        var plugin = new TestTypes.Command(1, true);
        f.plugins.types.put("cmd", plugin);
        long group = f.service.createGroup("/g").id();
        Scenario s = f.service.createScenario(new ScenarioSpec("s", group, tab("cmd", Map.of("command", "x")), null));

        f.plugins.types.remove("cmd");
        Scenario gone = f.service.scenario(s.id());
        assertThat(gone.available()).isFalse();
        assertThat(gone.unavailableReason()).contains("plugin unavailable: cmd");
        assertThat(gone.tabs().get(0).settings()).containsEntry("command", "x");
        assertThat(f.service.scenarios(Optional.empty())).filteredOn(x -> x.id() == s.id())
                .extracting(Scenario::available).containsExactly(false);
        Executability ex = f.service.executability(s.id());
        assertThat(ex.executable()).isFalse();
        assertThat(ex.reason()).contains("plugin unavailable: cmd");
        assertThatThrownBy(() -> f.service.assign(s.id(), java.util.List.of(f.machine("m1", 1).id())))
                .isInstanceOf(ConflictException.class).hasMessageContaining("plugin unavailable: cmd");

        f.plugins.types.put("cmd", plugin);
        assertThat(f.service.executability(s.id()).executable()).isTrue();
    }

    @Test
    public void scn2SettingsOfAnOlderPluginVersionAreMigratedOnRead() {
        var f = new Fixture();
        f.plugins.types.put("cmd", new TestTypes.Command(1, false));
        long group = f.service.createGroup("/g").id();
        Scenario s = f.service.createScenario(new ScenarioSpec("s", group, tab("cmd", Map.of("command", "ls")),
                null));

        f.plugins.types.put("cmd", new TestTypes.Command(2, false));
        Scenario read = f.service.scenario(s.id());
        assertThat(read.available()).isTrue();
        assertThat(read.tabs().get(0).settingsVersion()).isEqualTo(2);
        assertThat(read.tabs().get(0).settings()).containsExactly(Map.entry("script", "ls"));
        // Saving again stores the new version; going back to the old plugin then makes it unreadable, with why.
        f.service.updateScenario(s.id(), new ScenarioSpec("s", group, tab("cmd", read.tabs().get(0).settings()),
                null));
        f.plugins.types.put("cmd", new TestTypes.Command(1, false));
        Scenario downgraded = f.service.scenario(s.id());
        assertThat(downgraded.available()).isFalse();
        assertThat(downgraded.unavailableReason().orElseThrow()).contains("version 2, newer than");
    }

    @Test
    public void scn2NamesAreCheckedAndUniqueIgnoringCase() {
        var f = new Fixture();
        long group = f.service.createGroup("/g").id();
        assertThat(refusal(() -> f.service.createScenario(new ScenarioSpec("", group, null, null))).field())
                .isEqualTo("name");
        assertThat(refusal(() -> f.service.createScenario(new ScenarioSpec("a\tb", group, null, null))))
                .hasMessageContaining("control character");
        assertThat(refusal(() -> f.service.createScenario(new ScenarioSpec("x".repeat(256), group, null, null))))
                .hasMessageContaining("the limit is 255");
        assertThat(refusal(() -> f.service.createScenario(new ScenarioSpec("s", 9999, null, null))).field())
                .isEqualTo("groupId");
        f.service.createScenario(new ScenarioSpec("Backup", group, null, null));
        assertThatThrownBy(() -> f.service.createScenario(new ScenarioSpec("BACKUP", group, null, null)))
                .isInstanceOf(ConflictException.class).hasMessageContaining("is taken by scenario Backup");
        assertThatThrownBy(() -> f.service.createScenario(new ScenarioSpec("system_linuxmastersetup", group, null,
                null))).isInstanceOf(ConflictException.class);
    }

    @Test
    public void scn4BuiltInScenariosExistAndCannotBeChangedOrDeleted() {
        var f = new Fixture();
        for (String name : new String[]{ "System_WindowsMasterSetup", "System_WindowsMasterSetupVM",
                "System_LinuxMasterSetup" }) {
            Scenario s = f.service.findScenario(name).orElseThrow();
            assertThat(s.builtIn()).isTrue();
            assertThat(s.groupPath()).isEqualTo("/Built-in Scenarios");
            assertThat(s.description()).isPresent();
            assertThat(s.available()).isTrue();
            assertThatThrownBy(() -> f.service.updateScenario(s.id(), new ScenarioSpec(name, s.groupId(), null,
                    new ScenarioOptions(true, true)))).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("cannot be changed");
            assertThatThrownBy(() -> f.service.deleteScenario(s.id())).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("cannot be deleted");
            assertThat(f.service.scenario(s.id())).isEqualTo(s);
        }
        assertThatThrownBy(() -> f.service.scenario(12345)).isInstanceOf(NotFoundException.class);
    }
}
