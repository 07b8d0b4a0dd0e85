package org.opendpm.api.multicast;

import java.time.Duration;
import java.util.Objects;

/**
 * How one session runs; the group pool, port, TTL, interface and maximum rate are the server's configuration.
 *
 * @param dropBound a member that confirms no new chunk for this long while it still lacks chunks, or whose agent
 *            link stays lost this long, is dropped from the session (10 s to 30 min; docs/multicast.md)
 */
public record MulticastOptions(Duration dropBound) {

    public MulticastOptions {
        Objects.requireNonNull(dropBound, "dropBound");
        if (dropBound.compareTo(Duration.ofSeconds(10)) < 0 || dropBound.compareTo(Duration.ofMinutes(30)) > 0) {
            throw new IllegalArgumentException("drop bound must be 10 s to 30 min, not " + dropBound);
        }
    }
}
