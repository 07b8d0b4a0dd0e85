package org.opendpm.rest.internal.dto;

import java.util.List;

/**
 * A file to send (FIL-1): {@code file} is the name of a file in the server's file folder, {@code targetFolder} the
 * folder on each machine, {@code permissions} three octal digits ({@code 640}).
 */
public record FileSendDto(List<Long> machineIds, String file, String targetFolder, String permissions) {
}
