package org.opendpm.rest.internal.dto;

import java.time.Instant;

import org.opendpm.api.files.FileOperation;

/**
 * One file operation on one machine (FIL-2). Times are ISO-8601 UTC; {@code endedAt} is null while it runs.
 *
 * @param kind SEND or DELETE
 * @param source for SEND the server file's name, else empty
 * @param target the folder sent to, or the path deleted
 * @param state RUNNING, SUCCEEDED or FAILED
 */
public record FileOperationDto(long id, long machineId, String machineName, String kind, String source,
        String target, String permissions, String state, String requestedBy, String startedAt, String endedAt,
        String message) {

    public static FileOperationDto of(FileOperation o) {
        return new FileOperationDto(o.id(), o.machineId(), o.machineName(), o.kind().name(), o.source(), o.target(),
                o.permissions(), o.state().name(), o.requestedBy(), o.startedAt().toString(),
                o.endedAt().map(Instant::toString).orElse(null), o.message());
    }
}
