package org.opendpm.packages.internal.registry;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.opendpm.api.ValidationException;
import org.opendpm.api.packages.InstallerKind;
import org.opendpm.api.packages.PackageKind;
import org.opendpm.api.packages.PackageService;
import org.opendpm.api.packages.PackageSpec;

/** The rules of a package's registration (PKG-1); every refusal names its field and never stores anything. */
public final class PackageChecks {

    static final int MAX_IDENT = 255;
    static final int MAX_COMMAND = 1024;
    static final int MAX_DESCRIPTION = 1000;
    static final int MAX_CODES = 32;
    static final int MAX_TIMEOUT_MINUTES = 1440;
    static final int MAX_FILE_NAME = 255;
    private static final String FORBIDDEN = "\";\\/:";
    private static final Pattern VERSION = Pattern.compile("\\d{1,5}\\.\\d{1,5}");
    private static final Pattern MS_NUMBER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");
    public static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private PackageChecks() {
    }

    public static void check(PackageSpec s) {
        if (s == null) {
            throw new ValidationException("package", "a package is required");
        }
        name(s.name());
        if (s.kind() == null) {
            throw new ValidationException("kind",
                    "a kind is required: SERVICE_PACK, HOTFIX, LINUX_PATCH or APPLICATION");
        }
        if (s.urgency() == null) {
            throw new ValidationException("urgency", "an urgency is required: HIGHEST, HIGH, NORMAL or LOW");
        }
        if (s.installer() == null) {
            throw new ValidationException("installer", "an installer is required: DEB, RPM or SCRIPT");
        }
        text("packageId", s.packageId(), MAX_IDENT);
        identity(s);
        if ((s.kind() == PackageKind.SERVICE_PACK || s.kind() == PackageKind.HOTFIX)
                && s.installer() != InstallerKind.SCRIPT) {
            throw new ValidationException("installer", "a Windows " + label(s.kind())
                    + " is installed by its command (SCRIPT), not by " + s.installer());
        }
        if (s.installer() == InstallerKind.SCRIPT) {
            if (s.command().isEmpty() || s.command().get().isBlank()) {
                throw new ValidationException("command", "an install command is required for the SCRIPT installer");
            }
            text("command", s.command(), MAX_COMMAND);
        } else if (s.command().isPresent()) {
            throw new ValidationException("command", "a " + s.installer() + " package is installed by the agent's "
                    + (s.installer() == InstallerKind.DEB ? "dpkg" : "rpm") + "; it takes no command");
        }
        codes("successCodes", s.successCodes(), 1);
        codes("rebootCodes", s.rebootCodes(), 0);
        for (int c : s.rebootCodes()) {
            if (s.successCodes().contains(c)) {
                throw new ValidationException("rebootCodes", "exit code " + c
                        + " is both a success and a success that needs a restart");
            }
        }
        if (s.timeoutMinutes() < 1 || s.timeoutMinutes() > MAX_TIMEOUT_MINUTES) {
            throw new ValidationException("timeoutMinutes", "the time-out must be 1 to " + MAX_TIMEOUT_MINUTES
                    + " minutes, not " + s.timeoutMinutes());
        }
        if (s.description().isPresent() && s.description().get().length() > MAX_DESCRIPTION) {
            throw new ValidationException("description", "the description has more than " + MAX_DESCRIPTION
                    + " characters");
        }
    }

    private static void identity(PackageSpec s) {
        only("version", s.version(), s.kind() == PackageKind.SERVICE_PACK, "service packs");
        only("msNumber", s.msNumber(), s.kind() == PackageKind.HOTFIX, "hotfixes");
        only("displayName", s.displayName(), s.kind() == PackageKind.APPLICATION, "applications");
        switch (s.kind()) {
        case SERVICE_PACK:
            if (s.version().isPresent() && !VERSION.matcher(s.version().get()).matches()) {
                throw new ValidationException("version", "a service pack's version is major.minor, such as 3.1");
            }
            required("version", s.version().isPresent() || s.packageId().isPresent(),
                    "a service pack needs its major/minor version or an ID (packageId)");
            break;
        case HOTFIX:
            if (s.msNumber().isPresent() && !MS_NUMBER.matcher(s.msNumber().get()).matches()) {
                throw new ValidationException("msNumber", "an MS number is letters, digits and '-', such as"
                        + " MS17-010, at most 64 characters");
            }
            required("msNumber", s.msNumber().isPresent() || s.packageId().isPresent(),
                    "a hotfix needs its MS number or an ID (packageId)");
            break;
        case APPLICATION:
            text("displayName", s.displayName(), MAX_IDENT);
            required("displayName", s.displayName().isPresent() || s.packageId().isPresent(),
                    "an application needs its display name or an ID (packageId)");
            break;
        default:
            break;
        }
    }

    private static void only(String field, Optional<String> value, boolean allowed, String kinds) {
        if (value.isPresent() && !allowed) {
            throw new ValidationException(field, field + " is for " + kinds + " only");
        }
    }

    private static void required(String field, boolean present, String message) {
        if (!present) {
            throw new ValidationException(field, message);
        }
    }

    static void name(String name) {
        if (name == null || name.isBlank()) {
            throw new ValidationException("name", "a name is required");
        }
        if (name.length() > PackageService.MAX_NAME) {
            throw new ValidationException("name", "a name has at most " + PackageService.MAX_NAME + " characters");
        }
        if (!name.equals(name.strip())) {
            throw new ValidationException("name", "a name neither begins nor ends with spaces");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (FORBIDDEN.indexOf(c) >= 0 || Character.isISOControl(c)) {
                throw new ValidationException("name", "a name contains none of \" ; \\ / : and no control"
                        + " characters");
            }
        }
    }

    private static void text(String field, Optional<String> value, int max) {
        if (value.isEmpty()) {
            return;
        }
        String v = value.get();
        if (v.isBlank() || v.length() > max) {
            throw new ValidationException(field, field + " has 1 to " + max + " characters");
        }
        for (int i = 0; i < v.length(); i++) {
            if (Character.isISOControl(v.charAt(i))) {
                throw new ValidationException(field, field + " contains a control character");
            }
        }
    }

    private static void codes(String field, List<Integer> codes, int min) {
        if (codes.size() < min || codes.size() > MAX_CODES) {
            throw new ValidationException(field, field + " lists " + min + " to " + MAX_CODES + " exit codes");
        }
        Set<Integer> seen = new HashSet<>();
        for (Integer c : codes) {
            if (c == null || !seen.add(c)) {
                throw new ValidationException(field, field + " lists exit code " + c + " more than once or empty");
            }
        }
    }

    /** A file name as it is kept in the package's folder and sent to the agent. */
    public static void fileName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_FILE_NAME) {
            throw new ValidationException("name", "a file name has 1 to " + MAX_FILE_NAME + " characters");
        }
        if (name.startsWith(".") || name.contains("/") || name.contains("\\") || name.contains(":")) {
            throw new ValidationException("name", "'" + name + "' is not a plain file name (no / \\ :, no"
                    + " leading dot)");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new ValidationException("name", "a file name contains no control characters");
            }
        }
    }

    static String label(PackageKind kind) {
        return switch (kind) {
        case SERVICE_PACK -> "service pack";
        case HOTFIX -> "hotfix";
        case LINUX_PATCH -> "Linux patch";
        case APPLICATION -> "application";
        };
    }

    /** Comma-separated, as stored. */
    static String join(List<Integer> codes) {
        StringBuilder b = new StringBuilder();
        for (Integer c : codes) {
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(c);
        }
        return b.toString();
    }

    static List<Integer> split(String stored) {
        if (stored == null || stored.isEmpty()) {
            return List.of();
        }
        return java.util.Arrays.stream(stored.split(",")).map(Integer::valueOf).toList();
    }
}
