package org.opendpm.api.files;

import java.time.Instant;

/** A file in the server's file folder, ready to be sent. */
public record ServerFile(String name, long size, Instant modified, String sha256) {
}
