package org.opendpm.netboot.internal.http;

import java.util.Optional;

/** Files published for executions, as HTTP boot serves them at {@code published/<token>/<name>}. */
@FunctionalInterface
public interface PublishedLookup {

    /** A published file's content and media type. */
    record Found(String mediaType, byte[] content) {
    }

    /** The file published under that token and name while it has not expired; empty for anything else. */
    Optional<Found> find(String token, String name);
}
