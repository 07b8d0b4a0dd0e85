package org.opendpm.api.os;

/**
 * A rendered answer file.
 *
 * @param machineName the machine it is for
 * @param fileName the name it is served or written under ({@code preseed.cfg}, {@code ks}, {@code user-data})
 * @param mediaType its media type
 */
public record AnswerFile(String machineName, String fileName, String mediaType, String content) {
}
