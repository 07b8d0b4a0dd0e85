package org.opendpm.rest.internal.dto;

import org.opendpm.api.os.OperatingSystem;

/** A registered operating system (OSI-1); {@code type} is its key ({@code debian-12}), {@code updatedAt} ISO-8601. */
public record OperatingSystemDto(long id, String name, String type, String typeName, String answerFormat,
        String kernel, String initrd, String source, String updatedAt) {

    public static OperatingSystemDto of(OperatingSystem os) {
        return new OperatingSystemDto(os.id(), os.name(), os.type().key(), os.type().displayName(),
                os.type().format().name(), os.kernel(), os.initrd(), os.source(), os.updatedAt().toString());
    }
}
