package org.opendpm.api.packages;

/** What a package's exit code meant on one machine (PKG-2). */
public enum PackageOutcome {
    /** One of the package's success codes. */
    SUCCESS,
    /** One of its reboot-needed codes: installed, effective after a restart. */
    RESTART_NEEDED,
    /** Any other exit code, or killed at the time-out (-1): the machine's execution failed. */
    FAILED
}
