package org.opendpm.rest.internal.dto;

import java.util.List;
import java.util.Optional;

import org.opendpm.api.ValidationException;
import org.opendpm.api.packages.InstallerKind;
import org.opendpm.api.packages.PackageKind;
import org.opendpm.api.packages.PackageSpec;
import org.opendpm.api.packages.Urgency;

/**
 * A package to register or change (PKG-1). {@code kind} SERVICE_PACK, HOTFIX, LINUX_PATCH or APPLICATION;
 * {@code urgency} HIGHEST, HIGH, NORMAL or LOW; {@code installer} DEB, RPM or SCRIPT. Absent exit code lists mean
 * {@code [0]} for success and none for reboot-needed; an absent time-out 30 minutes.
 */
public record PackageInputDto(String name, String kind, String version, String msNumber, String displayName,
        String packageId, String urgency, String installer, String command, List<Integer> successCodes,
        List<Integer> rebootCodes, Integer timeoutMinutes, String description) {

    public PackageSpec toSpec() {
        return new PackageSpec(name, value("kind", kind, PackageKind.class), opt(version), opt(msNumber),
                opt(displayName), opt(packageId), value("urgency", urgency, Urgency.class),
                value("installer", installer, InstallerKind.class), opt(command),
                successCodes == null ? List.of(0) : successCodes, rebootCodes == null ? List.of() : rebootCodes,
                timeoutMinutes == null ? 30 : timeoutMinutes, opt(description));
    }

    private static Optional<String> opt(String s) {
        return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    private static <E extends Enum<E>> E value(String field, String text, Class<E> type) {
        if (text == null) {
            return null; // the registry names the missing field
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text)) {
                return e;
            }
        }
        throw new ValidationException(field, "'" + (text.length() > 40 ? text.substring(0, 40) + "..." : text)
                + "' is not one of " + java.util.Arrays.toString(type.getEnumConstants()));
    }
}
