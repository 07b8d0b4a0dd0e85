package org.opendpm.rest.internal.dto;

import org.opendpm.api.os.AnswerFile;

/** A rendered answer file. */
public record AnswerFileDto(String machineName, String fileName, String mediaType, String content) {

    public static AnswerFileDto of(AnswerFile f) {
        return new AnswerFileDto(f.machineName(), f.fileName(), f.mediaType(), f.content());
    }
}
