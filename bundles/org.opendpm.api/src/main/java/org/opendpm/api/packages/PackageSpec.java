package org.opendpm.api.packages;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an administrator registers for a package (PKG-1). {@link PackageService} checks it and names the field of
 * every refusal.
 *
 * @param name unique ignoring case, 1 to {@value PackageService#MAX_NAME} characters, none of {@code " ; \ / :}
 * @param kind service pack, hotfix, Linux patch or application
 * @param version a service pack's major/minor version ({@code 3.1}); a service pack has it or {@code packageId}
 * @param msNumber a hotfix's MS number ({@code MS17-010}); a hotfix has it or {@code packageId}
 * @param displayName an application's display name; an application has it or {@code packageId}
 * @param packageId an identifier that stands for the data above
 * @param urgency highest, high, normal or low
 * @param installer how the agent installs the files; a Linux patch is {@code DEB}, {@code RPM} or {@code SCRIPT}
 * @param command the install command for {@link InstallerKind#SCRIPT}, run in the package's folder; absent for the
 *            others
 * @param successCodes exit codes that mean success (at least one; {@code 0} by default)
 * @param rebootCodes exit codes that mean success that needs a restart ({@code 3010} for Windows installers)
 * @param timeoutMinutes how long the installer may run, 1 to 1440 minutes
 * @param description free text, at most 1000 characters
 */
public record PackageSpec(String name, PackageKind kind, Optional<String> version, Optional<String> msNumber,
        Optional<String> displayName, Optional<String> packageId, Urgency urgency, InstallerKind installer,
        Optional<String> command, List<Integer> successCodes, List<Integer> rebootCodes, int timeoutMinutes,
        Optional<String> description) {

    public PackageSpec {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(msNumber, "msNumber");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(packageId, "packageId");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(description, "description");
        successCodes = List.copyOf(successCodes);
        rebootCodes = List.copyOf(rebootCodes);
    }
}
