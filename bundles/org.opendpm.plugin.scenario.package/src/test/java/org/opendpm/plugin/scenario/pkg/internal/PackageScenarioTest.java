package org.opendpm.plugin.scenario.pkg.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.Test;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.packages.InstallerKind;
import org.opendpm.api.packages.PackageKind;
import org.opendpm.api.packages.PackageOutcome;
import org.opendpm.api.packages.PackageResult;
import org.opendpm.api.packages.PackageResults;
import org.opendpm.api.packages.PackageService;
import org.opendpm.api.packages.PackageSpec;
import org.opendpm.api.packages.RegisteredPackage;
import org.opendpm.api.packages.Urgency;
import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.Step;
import org.opendpm.spi.testkit.PluginAssertionError;
import org.opendpm.spi.testkit.ScenarioTypeChecks;
import org.opendpm.spi.testkit.TestStepContext;

/** The Package tab (PKG-2): its settings, its plan's order, and the install step against the test kit's agent. */
public class PackageScenarioTest {

    private final List<RegisteredPackage> registered = new ArrayList<>();
    private final List<PackageResult> recorded = new CopyOnWriteArrayList<>();

    private final PackageService packages = (PackageService) Proxy.newProxyInstance(
            PackageService.class.getClassLoader(), new Class<?>[]{ PackageService.class }, (p, m, args) -> {
                long id = (Long) args[0];
                RegisteredPackage found = registered.stream().filter(r -> r.id() == id).findFirst()
                        .orElseThrow(() -> new NotFoundException("No package " + id));
                return switch (m.getName()) {
                case "get" -> found;
                case "verifiedFiles" -> List.of(Path.of("/images/.packages/" + id + "/file-" + id));
                default -> throw new AssertionError("unexpected call " + m.getName());
                };
            });
    private final PackageResults results = new PackageResults() {
        @Override
        public void record(PackageResult result) {
            recorded.add(result);
        }

        @Override
        public List<PackageResult> of(long executionId) {
            return List.copyOf(recorded);
        }
    };
    private final PackageScenarioType type = new PackageScenarioType(packages);

    private RegisteredPackage register(long id, String name, PackageKind kind) {
        PackageSpec spec = new PackageSpec(name, kind, Optional.empty(), Optional.empty(),
                kind == PackageKind.APPLICATION ? Optional.of(name) : Optional.empty(),
                kind == PackageKind.LINUX_PATCH || kind == PackageKind.APPLICATION
                        ? Optional.empty()
                        : Optional.of("ID-" + id),
                Urgency.NORMAL, kind == PackageKind.LINUX_PATCH ? InstallerKind.DEB : InstallerKind.SCRIPT,
                kind == PackageKind.LINUX_PATCH ? Optional.empty() : Optional.of("sh install.sh"), List.of(0),
                List.of(3010), 5, Optional.empty());
        RegisteredPackage p = new RegisteredPackage(id, spec, List.of(), Instant.EPOCH);
        registered.add(p);
        return p;
    }

    @Test
    public void patchesServicePacksAndHotfixesGoBeforeApplicationsInTheTabsOrder_PKG2() {
        register(1, "editor", PackageKind.APPLICATION);
        register(2, "kernel-fix", PackageKind.LINUX_PATCH);
        register(3, "browser", PackageKind.APPLICATION);
        register(4, "sp1", PackageKind.SERVICE_PACK);
        register(5, "hotfix", PackageKind.HOTFIX);
        ScenarioTypeChecks.assertSchema(type);

        List<Step> plan = ScenarioTypeChecks.assertPlans(type, Map.of("packages", List.of(1, 2, 3, 4, 5),
                "restartAfterApplying", true));

        assertThat(plan).extracting(Step::name).containsExactly("Install kernel-fix", "Install sp1",
                "Install hotfix", "Install editor", "Install browser", "Restart after applying");
        assertThat(plan.get(0).parameters()).containsEntry(InstallStep.PACKAGE, "2");
        assertThat(plan).noneMatch(Step::resumable);
        assertThat(ScenarioTypeChecks.assertPlans(type, Map.of("packages", List.of(1)))).extracting(Step::executor)
                .as("no restart without Restart After Applying").containsExactly(InstallStep.KEY);
    }

    @Test
    public void badSettingsAreRefusedNamingTheField_PKG2() {
        register(1, "editor", PackageKind.APPLICATION);
        ScenarioTypeChecks.assertRejects(type, Map.of(), "packages");
        ScenarioTypeChecks.assertRejects(type, Map.of("packages", List.of(1, 1)), "packages[1]");
        ScenarioTypeChecks.assertRejects(type, Map.of("packages", List.of(1, 9)), "packages[1]");
        ScenarioTypeChecks.assertRejects(type, Map.of("packages", List.of("x")), "packages[0]");
        ScenarioTypeChecks.assertRejects(type, Map.of("packages", List.of(1), "transfer", "multicast"), "transfer");
        ScenarioTypeChecks.assertRejects(type, Map.of("packages", List.of(1), "maximumTargets", 5), "maximumTargets");
        ScenarioTypeChecks.assertRejects(type, Map.of("packages", List.of(1), "colour", "red"), "colour");
        assertThat(type.validate(Map.of("packages", List.of(1), "transfer", "multicast")).get(0).message())
                .contains("not available for packages yet");
    }

    @Test
    public void aFailingExitCodeFailsTheMachineWithTheOutputsEnd_PKG2() {
        register(7, "broken", PackageKind.APPLICATION);
        TestStepContext context = TestStepContext.of(Step.of(InstallStep.KEY, "Install broken", Map.of(
                InstallStep.PACKAGE, "7")), Path.of("/tmp")).onInstall(i -> new AgentHandle.PackageOutcome(1,
                        "x".repeat(3000) + "\nmissing libfoo\n", Duration.ofSeconds(2)));

        assertThatThrownBy(() -> TestStepContext.run(new InstallStep(packages, results), context,
                Duration.ofSeconds(10))).isInstanceOf(PluginAssertionError.class)
                .hasMessageContaining("Package broken failed on machine machine01 with exit code 1: ...")
                .hasMessageContaining("missing libfoo");
        assertThat(recorded).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(PackageOutcome.FAILED);
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.output()).endsWith("missing libfoo\n");
        });
        AgentHandle.PackageInstall asked = context.installsAsked().get(0);
        assertThat(asked.installer()).isEqualTo(AgentHandle.Installer.SCRIPT);
        assertThat(asked.command()).contains("sh install.sh");
        assertThat(asked.timeout()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    public void successAndRestartNeededCodesEndTheStepWell_PKG2() {
        register(8, "kernel-fix", PackageKind.LINUX_PATCH);
        TestStepContext ok = TestStepContext.of(Step.of(InstallStep.KEY, "Install kernel-fix", Map.of(
                InstallStep.PACKAGE, "8")), Path.of("/tmp")).onInstall(i -> new AgentHandle.PackageOutcome(3010,
                        "done", Duration.ofSeconds(1)));
        TestStepContext.run(new InstallStep(packages, results), ok, Duration.ofSeconds(10));
        assertThat(recorded).singleElement().extracting(PackageResult::outcome)
                .isEqualTo(PackageOutcome.RESTART_NEEDED);
        assertThat(ok.installsAsked().get(0).installer()).isEqualTo(AgentHandle.Installer.DEB);
    }
}
