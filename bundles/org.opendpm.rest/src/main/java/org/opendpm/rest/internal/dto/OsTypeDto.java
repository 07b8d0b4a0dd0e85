package org.opendpm.rest.internal.dto;

import org.opendpm.api.os.OsType;

/** An operating system type: its key, name, answer format, answer file name and template file. */
public record OsTypeDto(String key, String name, String answerFormat, String answerFileName, String template) {

    public static OsTypeDto of(OsType t) {
        return new OsTypeDto(t.key(), t.displayName(), t.format().name(), t.answerFileName(), t.templateName());
    }
}
