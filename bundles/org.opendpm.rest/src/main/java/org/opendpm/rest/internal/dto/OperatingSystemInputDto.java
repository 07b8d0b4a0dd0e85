package org.opendpm.rest.internal.dto;

import org.opendpm.api.ValidationException;
import org.opendpm.api.os.OperatingSystemSpec;
import org.opendpm.api.os.OsType;

/** An operating system to register or change; {@code type} is a key of {@code GET /operating-systems/types}. */
public record OperatingSystemInputDto(String name, String type, String kernel, String initrd, String source) {

    public OperatingSystemSpec toSpec() {
        OsType t = null;
        if (type != null) {
            t = OsType.ofKey(type).orElseThrow(() -> new ValidationException("type", "Unknown operating system type '"
                    + (type.length() > 40 ? type.substring(0, 40) + "..." : type) + "'"));
        }
        return new OperatingSystemSpec(name, t, kernel, initrd, source);
    }
}
