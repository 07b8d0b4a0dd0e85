package org.opendpm.plugin.scenario.pkg.internal;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.opendpm.api.packages.PackageOutcome;
import org.opendpm.api.packages.PackageResult;
import org.opendpm.api.packages.PackageResults;
import org.opendpm.api.packages.PackageService;
import org.opendpm.api.packages.PackageSpec;
import org.opendpm.api.packages.RegisteredPackage;
import org.opendpm.spi.AgentHandle;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;
import org.opendpm.spi.StepFailedException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Installs one registered package on the machine (PKG-2): its files, checked against the SHA-256 the registry
 * recorded, go to the agent of the installed OS by unicast, the agent runs the installer, and the result (exit code,
 * output tail, time) is kept with the execution. An exit code that is neither a success nor a reboot-needed code
 * fails the machine's execution with the output's end.
 */
@Component(property = StepExecutor.PROPERTY + "=" + InstallStep.KEY)
public class InstallStep implements StepExecutor {

    static final String KEY = "package.install";
    static final String PACKAGE = "package";
    /** How much of the output's end the failure message quotes; the result keeps 4 KiB. */
    static final int QUOTED_OUTPUT = 1000;

    private final PackageService packages;
    private final PackageResults results;
    private final Clock clock;

    @Activate
    public InstallStep(@Reference PackageService packages, @Reference PackageResults results) {
        this(packages, results, Clock.systemUTC());
    }

    InstallStep(PackageService packages, PackageResults results, Clock clock) {
        this.packages = packages;
        this.results = results;
        this.clock = clock;
    }

    @Override
    public List<SettingViolation> validate(Step step) {
        String id = step.parameters().get(PACKAGE);
        if (id == null || !id.matches("[1-9][0-9]{0,17}")) {
            return List.of(new SettingViolation(PACKAGE, "is not a package id"));
        }
        return List.of();
    }

    @Override
    public CompletionStage<Void> execute(StepContext context) {
        long id = Long.parseLong(context.step().parameters().get(PACKAGE));
        RegisteredPackage p = packages.get(id);
        PackageSpec spec = p.spec();
        List<Path> files = packages.verifiedFiles(id);
        context.log("Installing package " + p.name() + " (" + files.size() + " file" + (files.size() == 1 ? "" : "s")
                + ", installer " + spec.installer() + ")");
        AgentHandle.PackageInstall install = new AgentHandle.PackageInstall(p.name(),
                AgentHandle.Installer.valueOf(spec.installer().name()), files, spec.command(),
                Duration.ofMinutes(spec.timeoutMinutes()));
        return context.agent().install(install).thenAccept(outcome -> {
            PackageOutcome meaning = outcome.exitCode() == -1
                    ? PackageOutcome.FAILED
                    : PackageResults.outcome(spec, outcome.exitCode());
            results.record(new PackageResult(context.executionId(), context.machineId(), id, p.name(),
                    outcome.exitCode(), meaning, outcome.output(), outcome.elapsed(), clock.instant()));
            String took = " in " + Math.max(1, outcome.elapsed().toSeconds()) + " s";
            switch (meaning) {
            case SUCCESS:
                context.log("Package " + p.name() + " installed (exit code " + outcome.exitCode() + ")" + took);
                break;
            case RESTART_NEEDED:
                context.log("Package " + p.name() + " installed; it needs a restart (exit code "
                        + outcome.exitCode() + ")" + took);
                break;
            default:
                throw new StepFailedException("Package " + p.name() + " failed on machine "
                        + context.target().machineName() + (outcome.exitCode() == -1
                                ? ": killed after " + spec.timeoutMinutes() + " minutes"
                                : " with exit code " + outcome.exitCode())
                        + tail(outcome.output()));
            }
        });
    }

    private static String tail(String output) {
        String t = output.strip();
        if (t.isEmpty()) {
            return " (no output)";
        }
        return ": " + (t.length() > QUOTED_OUTPUT ? "..." + t.substring(t.length() - QUOTED_OUTPUT) : t);
    }
}
