package org.opendpm.rest.internal.dto;

import org.opendpm.api.packages.PackageResult;

/** One package's result on the machine of an execution (PKG-2): exit code, its meaning, output tail, time. */
public record PackageResultDto(long packageId, String packageName, long machineId, int exitCode, String outcome,
        String output, long elapsedMillis, String finishedAt) {

    public static PackageResultDto of(PackageResult r) {
        return new PackageResultDto(r.packageId(), r.packageName(), r.machineId(), r.exitCode(), r.outcome().name(),
                r.output(), r.elapsed().toMillis(), r.finishedAt().toString());
    }
}
