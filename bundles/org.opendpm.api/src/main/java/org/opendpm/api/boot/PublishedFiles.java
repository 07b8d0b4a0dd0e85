package org.opendpm.api.boot;

import java.time.Instant;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Files published for one execution (an installer's answer file, a parameter file) at an HTTP path with an
 * unguessable token. Never listed; served only until the execution withdraws them or they expire.
 */
@ProviderType
public interface PublishedFiles {

    /** Most bytes one published file may hold. */
    int MAX_BYTES = 1 << 20;

    /**
     * Publishes the content and returns its path below the server's HTTP root
     * ({@code /opendpm/boot/published/<token>/<name>}); a plain file name is required.
     */
    String publish(long executionId, String name, byte[] content, String mediaType, Instant expiresAt);

    /** Withdraws every file published for the execution; returns how many there were. */
    int withdraw(long executionId);
}
