package org.opendpm.plugin.scenario.fake.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.opendpm.spi.Step;
import org.opendpm.spi.testkit.PluginAssertionError;
import org.opendpm.spi.testkit.ScenarioTypeChecks;

/** The fake scenario type (SCN-2) against the SPI's checks. */
public class FakeScenarioTypeTest {

    private final FakeScenarioType type = new FakeScenarioType();

    @Test
    public void plansOneAgentCommandWithTheDefaultExitCode() {
        List<Step> plan = ScenarioTypeChecks.assertPlans(type, Map.of("command", "echo hello"));
        assertThat(plan).hasSize(1);
        assertThat(plan.get(0).executor()).isEqualTo(org.opendpm.spi.StepExecutor.AGENT_COMMAND);
        assertThat(plan.get(0).parameters()).containsEntry("command", "echo hello")
                .containsEntry("expectedExitCode", "0");
        assertThat(type.needsDeployOs()).isFalse();
    }

    @Test
    public void plansTheGivenExitCode() {
        List<Step> plan = ScenarioTypeChecks.assertPlans(type, Map.of("command", "false", "expectedExitCode", 255));
        assertThat(plan.get(0).parameters()).containsEntry("expectedExitCode", "255");
    }

    @Test
    public void plansTheCommandAsManyStepsAsRepeatSays() {
        List<Step> plan = ScenarioTypeChecks.assertPlans(type, Map.of("command", "true", "repeat", 3));
        assertThat(plan).extracting(Step::name)
                .containsExactly("Agent command 1 of 3", "Agent command 2 of 3", "Agent command 3 of 3");
        assertThat(plan).allSatisfy(s -> assertThat(s.parameters()).containsEntry("command", "true")
                .containsEntry("expectedExitCode", "0"));
        assertThat(ScenarioTypeChecks.assertPlans(type, Map.of("command", "true", "repeat", 20))).hasSize(20);
    }

    @Test
    public void refusesRepeatOutOfRangeOrNotAWholeNumber() {
        ScenarioTypeChecks.assertRejects(type, Map.of("command", "true", "repeat", 0), "repeat");
        ScenarioTypeChecks.assertRejects(type, Map.of("command", "true", "repeat", 21), "repeat");
        ScenarioTypeChecks.assertRejects(type, Map.of("command", "true", "repeat", "3"), "repeat");
        ScenarioTypeChecks.assertRejects(type, Map.of("command", "true", "repeat", 2.5), "repeat");
        assertThat(type.validate(Map.of("command", "true", "repeat", 1))).isEmpty();
    }

    @Test
    public void refusesAMissingBlankLongOrNonStringCommand() {
        ScenarioTypeChecks.assertRejects(type, Map.of(), "command");
        ScenarioTypeChecks.assertRejects(type, Map.of("command", "  "), "command");
        ScenarioTypeChecks.assertRejects(type, Map.of("command", 5), "command");
        ScenarioTypeChecks.assertRejects(type, Map.of("command", "x".repeat(1025)), "command");
        assertThat(type.validate(Map.of("command", "x".repeat(1024)))).isEmpty();
    }

    @Test
    public void refusesExitCodesOutOfRangeOrNotWholeNumbers() {
        ScenarioTypeChecks.assertRejects(type, Map.of("command", "true", "expectedExitCode", 256), "expectedExitCode");
        ScenarioTypeChecks.assertRejects(type, Map.of("command", "true", "expectedExitCode", -1), "expectedExitCode");
        ScenarioTypeChecks.assertRejects(type, Map.of("command", "true", "expectedExitCode", "0"), "expectedExitCode");
        ScenarioTypeChecks.assertRejects(type, Map.of("command", "true", "expectedExitCode", 1.5), "expectedExitCode");
        assertThat(type.validate(Map.of("command", "true", "expectedExitCode", 0))).isEmpty();
    }

    @Test
    public void refusesUnknownSettingsByName() {
        Map<String, Object> settings = new HashMap<>(Map.of("command", "true", "comand", "typo"));
        ScenarioTypeChecks.assertRejects(type, settings, "comand");
    }

    @Test
    public void theChecksThemselvesFailOnABadTab() {
        assertThatThrownBy(() -> ScenarioTypeChecks.assertPlans(type, Map.of()))
                .isInstanceOf(PluginAssertionError.class);
    }
}
