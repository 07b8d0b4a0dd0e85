package org.opendpm.api.packages;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The per-package results of package scenarios (PKG-2), kept in the database with the executions' results. */
@ProviderType
public interface PackageResults {

    /** Keeps one package's result; a second result for the same execution and package replaces the first. */
    void record(PackageResult result);

    /** The results of one execution, in the order the packages ended. */
    List<PackageResult> of(long executionId);

    /** Classifies an exit code by the package's success and reboot-needed codes. */
    static PackageOutcome outcome(PackageSpec spec, int exitCode) {
        if (spec.successCodes().contains(exitCode)) {
            return PackageOutcome.SUCCESS;
        }
        return spec.rebootCodes().contains(exitCode) ? PackageOutcome.RESTART_NEEDED : PackageOutcome.FAILED;
    }
}
