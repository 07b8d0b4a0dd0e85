package org.opendpm.plugin.scenario.fake.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.opendpm.spi.Step;
import org.opendpm.spi.testkit.ScenarioTypeChecks;

/** The Deploy-OS variant of the fake tab: same settings, every step in the Deploy-OS. */
public class FakeDeployOsScenarioTypeTest {

    private final FakeDeployOsScenarioType type = new FakeDeployOsScenarioType();

    @Test
    public void needsTheDeployOsForEveryStep() {
        List<Step> plan = ScenarioTypeChecks.assertPlans(type, Map.of("command", "true"));
        assertThat(type.needsDeployOs()).isTrue();
        assertThat(plan).extracting(Step::needsDeployOs).containsOnly(true);
        ScenarioTypeChecks.assertRejects(type, Map.of(), "command");
    }
}
