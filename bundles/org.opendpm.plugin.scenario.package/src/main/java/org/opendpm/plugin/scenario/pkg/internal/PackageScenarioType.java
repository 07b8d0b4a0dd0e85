package org.opendpm.plugin.scenario.pkg.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.packages.NextStartupService;
import org.opendpm.api.packages.PackageService;
import org.opendpm.api.packages.RegisteredPackage;
import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepFailedException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Package tab (PKG-2): registered packages installed on the machine through the agent of its installed OS, one
 * step each ({@value InstallStep#KEY}); service packs, hotfixes and Linux patches before applications, each group in
 * the order the tab lists it; then, with Restart After Applying, one restart ({@value RestartStep#KEY}). Packages go
 * to each machine by unicast; multicast transfer is refused for now.
 */
@Component(property = ScenarioType.PROPERTY + "=" + NextStartupService.PACKAGE_TAB)
public class PackageScenarioType implements ScenarioType {

    static final String SCHEMA = """
            {"$schema":"https://json-schema.org/draft/2020-12/schema",
             "title":"Package",
             "description":"Installs registered packages through the agent of the machine's installed OS",
             "type":"object","additionalProperties":false,"required":["packages"],
             "properties":{
              "packages":{"type":"array","minItems":1,"maxItems":32,"uniqueItems":true,
               "items":{"type":"integer","minimum":1},
               "description":"Registered package ids; service packs, hotfixes and Linux patches are applied before applications"},
              "restartAfterApplying":{"type":"boolean","default":false,
               "description":"Restart the machine once the packages are applied, and wait for its agent"},
              "transfer":{"enum":["unicast","multicast"],"default":"unicast",
               "description":"How the files travel; multicast is not available for packages yet"},
              "maximumTargets":{"type":"integer","minimum":1,"maximum":1000,
               "description":"Multicast only (not available yet)"},
              "maximumWaitingMinutes":{"type":"integer","minimum":1,"maximum":1440,
               "description":"Multicast only (not available yet)"}
             }}""";

    private final PackageService packages;

    @Activate
    public PackageScenarioType(@Reference PackageService packages) {
        this.packages = packages;
    }

    @Override
    public String displayName() {
        return "Package";
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
        return false;
    }

    @Override
    public List<SettingViolation> validate(Map<String, Object> settings) {
        PackageSettings.Read read = PackageSettings.read(settings);
        if (!read.violations().isEmpty()) {
            return read.violations();
        }
        List<SettingViolation> v = new ArrayList<>();
        List<Long> ids = read.settings().packages();
        for (int i = 0; i < ids.size(); i++) {
            try {
                packages.get(ids.get(i));
            } catch (NotFoundException e) {
                v.add(new SettingViolation("packages[" + i + "]", "no package " + ids.get(i) + " is registered"));
            }
        }
        return v;
    }

    @Override
    public List<Step> plan(Map<String, Object> settings, PlanTarget target) {
        PackageSettings.Read read = PackageSettings.read(settings);
        if (!read.violations().isEmpty()) {
            SettingViolation first = read.violations().get(0);
            throw new StepFailedException("The Package settings are not valid: " + first.field() + ": "
                    + first.message());
        }
        List<RegisteredPackage> chosen = new ArrayList<>();
        for (long id : read.settings().packages()) {
            try {
                chosen.add(packages.get(id));
            } catch (NotFoundException e) {
                throw new StepFailedException("Package " + id + " of the Package tab is no longer registered");
            }
        }
        List<Step> steps = new ArrayList<>();
        for (RegisteredPackage p : ordered(chosen)) {
            steps.add(Step.of(InstallStep.KEY, stepName("Install " + p.name()), Map.of(InstallStep.PACKAGE,
                    Long.toString(p.id()))));
        }
        if (read.settings().restartAfterApplying()) {
            steps.add(Step.of(RestartStep.KEY, "Restart after applying", Map.of()));
        }
        return steps;
    }

    /** OS updates (service packs, hotfixes, Linux patches) first, then applications; a stable sort keeps the tab's order. */
    static List<RegisteredPackage> ordered(List<RegisteredPackage> chosen) {
        List<RegisteredPackage> out = new ArrayList<>(chosen);
        out.sort(Comparator.comparing((RegisteredPackage p) -> !p.spec().kind().osUpdate()));
        return out;
    }

    private static String stepName(String name) {
        return name.length() <= Step.MAX_NAME ? name : name.substring(0, Step.MAX_NAME - 3) + "...";
    }
}
