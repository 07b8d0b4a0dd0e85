package org.opendpm.api.packages;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/**
 * A Package Web Server (PKG-3): a signed package repository the server downloads packages from.
 *
 * @param id 1 to {@value PackageWebServers#MAX_ID} letters and digits, unique ignoring case; servers are visited in
 *            the order of their IDs ({@link PackageWebServers#ID_ORDER})
 * @param url the repository's base URL, {@code http} or {@code https}; {@code index.json}, {@code index.json.sig}
 *            and {@code files/<sha256>} are read under it
 * @param enabled whether downloads visit it
 * @param addedAt when it was added (set by the server)
 */
public record PackageWebServer(String id, URI url, boolean enabled, Instant addedAt) {

    public PackageWebServer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(url, "url");
    }
}
