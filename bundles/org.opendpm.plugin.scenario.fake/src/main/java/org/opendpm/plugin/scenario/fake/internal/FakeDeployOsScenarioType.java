package org.opendpm.plugin.scenario.fake.internal;

import java.util.List;
import java.util.Map;

import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;
import org.osgi.service.component.annotations.Component;

/**
 * The tab {@code fake-deployos}: the {@code fake} tab's command, run in the machine's Deploy-OS, so the Deploy-OS
 * preconditions and steps of execution (EXE-2, EXE-3) can be exercised without a real backup or installation.
 */
@Component(property = ScenarioType.PROPERTY + "=" + FakeDeployOsScenarioType.KEY)
public class FakeDeployOsScenarioType implements ScenarioType {

    static final String KEY = "fake-deployos";

    private final FakeScenarioType command = new FakeScenarioType();

    @Override
    public String displayName() {
        return "Fake command in the Deploy-OS";
    }

    @Override
    public int settingsVersion() {
        return command.settingsVersion();
    }

    @Override
    public String settingsSchema() {
        return FakeScenarioType.SCHEMA;
    }

    @Override
    public boolean needsDeployOs() {
        return true;
    }

    @Override
    public List<SettingViolation> validate(Map<String, Object> settings) {
        return command.validate(settings);
    }

    @Override
    public List<Step> plan(Map<String, Object> settings, PlanTarget target) {
        return command.plan(settings, target).stream()
                .map(s -> Step.inDeployOs(s.executor(), s.name(), s.parameters())).toList();
    }
}
