package org.opendpm.rest.internal.dto;

import org.opendpm.api.agent.RemoteFile;

/**
 * An entry of a folder on a machine (FIL-1); {@code modified} in ISO-8601 UTC, {@code permissions} three octal
 * digits, empty on Windows.
 */
public record FileRemoteDto(String name, boolean directory, long size, String modified, String permissions) {

    public static FileRemoteDto of(RemoteFile f) {
        return new FileRemoteDto(f.name(), f.directory(), f.size(), f.modified().toString(), f.permissions());
    }
}
