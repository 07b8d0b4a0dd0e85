package org.opendpm.plugin.scenario.hwsetting.internal;

import java.util.List;
import java.util.Map;

import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;
import org.osgi.service.component.annotations.Component;

/**
 * The HW Setting tab {@value #KEY} (HWS-1, HWS-2): boots the machine once into a registered floppy image (BIOS,
 * through memdisk) or EFI application (UEFI, chain-loaded) and waits for it to come back. The image is not the
 * Deploy-OS, so the core adds no Deploy-OS steps around it; the boot is one-shot, so no local-boot step follows.
 */
@Component(property = ScenarioType.PROPERTY + "=" + HwSettingScenarioType.KEY)
public class HwSettingScenarioType implements ScenarioType {

    static final String KEY = "hw-setting";

    @Override
    public String displayName() {
        return "HW Setting";
    }

    @Override
    public int settingsVersion() {
        return 1;
    }

    @Override
    public String settingsSchema() {
        return HwSettings.SCHEMA;
    }

    @Override
    public boolean needsDeployOs() {
        return false;
    }

    @Override
    public List<SettingViolation> validate(Map<String, Object> settings) {
        return HwSettings.check(settings);
    }

    @Override
    public List<Step> plan(Map<String, Object> settings, PlanTarget target) {
        String image = (String) settings.get(HwSettings.IMAGE);
        // Not resumable: after a restart the server cannot tell whether the machine is still flashing its firmware,
        // and booting the image again could start a second flash.
        return List.of(Step.of(HwBootStep.KEY, "HW setting " + image, Map.of(HwSettings.IMAGE, image)));
    }
}
