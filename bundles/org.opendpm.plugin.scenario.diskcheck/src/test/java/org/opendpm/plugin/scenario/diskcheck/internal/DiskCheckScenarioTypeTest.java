package org.opendpm.plugin.scenario.diskcheck.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepExecutor;
import org.opendpm.spi.testkit.ScenarioTypeChecks;

/** IMG-4: the Disk Check plans one resumable Deploy-OS step carried out by the core's disk inventory. */
public class DiskCheckScenarioTypeTest {

    private final DiskCheckScenarioType type = new DiskCheckScenarioType();

    @Test
    public void plansTheDiskInventoryInTheDeployOs() {
        List<Step> plan = ScenarioTypeChecks.assertPlans(type, Map.of());
        assertThat(plan).singleElement().satisfies(s -> {
            assertThat(s.executor()).isEqualTo(StepExecutor.DISK_INVENTORY);
            assertThat(s.needsDeployOs()).isTrue();
            assertThat(s.resumable()).isTrue();
        });
    }

    @Test
    public void anySettingIsRefusedByName() {
        ScenarioTypeChecks.assertRejects(type, Map.of("disk", 1), "disk");
    }

    @Test
    public void theSchemaIsAnObjectWithoutProperties() {
        ScenarioTypeChecks.assertSchema(type);
        assertThat(type.settingsSchema()).contains("\"additionalProperties\":false");
    }
}
