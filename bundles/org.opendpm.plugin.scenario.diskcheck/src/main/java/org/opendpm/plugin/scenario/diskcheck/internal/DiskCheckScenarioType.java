package org.opendpm.plugin.scenario.diskcheck.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepExecutor;
import org.osgi.service.component.annotations.Component;

/**
 * The tab {@code disk-check} (IMG-4): the machine boots its Deploy-OS, whose agent reports the disks and partitions
 * with their numbers, sizes and partition table type; the core stores them on the machine, where Backup/Restore
 * settings pick disk and partition numbers from. The tab has no settings. The step is carried out by the core's
 * built-in executor {@value StepExecutor#DISK_INVENTORY} and may run again after a server restart (it only reads).
 */
@Component(property = ScenarioType.PROPERTY + "=" + DiskCheckScenarioType.KEY)
public class DiskCheckScenarioType implements ScenarioType {

    static final String KEY = "disk-check";
    static final String SCHEMA = "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
            + "\"title\":\"Disk Check\",\"description\":\"Reads the machine's disks and partitions in its Deploy-OS\","
            + "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{}}";

    @Override
    public String displayName() {
        return "Disk Check";
    }

    @Override
    public int settingsVersion() {
        return 1;
    }

    @Override
    public String settingsSchema() {
        return SCHEMA;
    }

    @Override
    public boolean needsDeployOs() {
        return true;
    }

    @Override
    public List<SettingViolation> validate(Map<String, Object> settings) {
        List<SettingViolation> out = new ArrayList<>();
        settings.keySet().stream().sorted()
                .forEach(k -> out.add(new SettingViolation(k, "unknown setting; the Disk Check has none")));
        return out;
    }

    @Override
    public List<Step> plan(Map<String, Object> settings, PlanTarget target) {
        return List.of(Step.inDeployOs(StepExecutor.DISK_INVENTORY, "Disk check", Map.of()).asResumable());
    }
}
