package org.opendpm.plugin.scenario.oslinux.internal;

import java.util.List;
import java.util.Map;

import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepExecutor;
import org.osgi.service.component.annotations.Component;

/**
 * The OS tab {@value #KEY} (OSI-1, OSI-2): boots the machine into the registered operating system's installer with
 * its answer file's URL on the kernel command line, waits for the installer's "built" call (or the scenario's
 * time-out), then makes the local disk the next boot. The installer is not the Deploy-OS, so the core adds no
 * Deploy-OS steps around it.
 */
@Component(property = ScenarioType.PROPERTY + "=" + OsLinuxScenarioType.KEY)
public class OsLinuxScenarioType implements ScenarioType {

    static final String KEY = "os-linux";

    @Override
    public String displayName() {
        return "OS";
    }

    @Override
    public int settingsVersion() {
        return 1;
    }

    @Override
    public String settingsSchema() {
        return OsInstallSettings.SCHEMA;
    }

    @Override
    public boolean needsDeployOs() {
        return false;
    }

    @Override
    public List<SettingViolation> validate(Map<String, Object> settings) {
        return OsInstallSettings.check(settings);
    }

    @Override
    public List<Step> plan(Map<String, Object> settings, PlanTarget target) {
        OsInstallSettings s = OsInstallSettings.of(settings);
        // Carried out again after a server restart: it issues a new token and answer file and boots the installer
        // again, unless the installer already called built.
        return List.of(Step.of(InstallStep.KEY, stepName(s.operatingSystem()), s.parameters()).asResumable(),
                Step.of(StepExecutor.LOCAL_BOOT, "Local boot", Map.of()).asResumable());
    }

    /** "Install NAME", cut to what a step name holds. */
    static String stepName(String os) {
        String name = "Install " + os;
        return name.length() <= Step.MAX_NAME ? name : name.substring(0, Step.MAX_NAME - 3) + "...";
    }
}
