package org.opendpm.api.agent;

import java.time.Instant;

/**
 * An entry of a folder on a machine.
 *
 * @param permissions POSIX permissions as three octal digits, empty on Windows
 */
public record RemoteFile(String name, boolean directory, long size, Instant modified, String permissions) {
}
