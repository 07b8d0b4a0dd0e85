package org.opendpm.api.files;

import java.time.Instant;
import java.util.Optional;

/**
 * One file operation on one machine (FIL-2).
 *
 * @param source for {@link FileOperationKind#SEND}: the file's name in the server's file folder, else empty
 * @param target the folder sent to, or the path deleted
 * @param permissions for {@link FileOperationKind#SEND}: three octal digits, else empty
 * @param message the error of a failed operation, else empty
 */
public record FileOperation(long id, long machineId, String machineName, FileOperationKind kind, String source,
        String target, String permissions, FileOperationState state, String requestedBy, Instant startedAt,
        Optional<Instant> endedAt, String message) {
}
