package org.opendpm.rest.internal.dto;

import org.opendpm.api.files.ServerFile;

/** A file of the server's file folder, ready to be sent (FIL-1); {@code modified} in ISO-8601 UTC. */
public record FileOnServerDto(String name, long size, String modified, String sha256) {

    public static FileOnServerDto of(ServerFile f) {
        return new FileOnServerDto(f.name(), f.size(), f.modified().toString(), f.sha256());
    }
}
