package org.opendpm.rest.internal.dto;

import java.net.URI;
import java.net.URISyntaxException;

import org.opendpm.api.ValidationException;
import org.opendpm.api.packages.PackageWebServer;

/** A Package Web Server to add or change (PKG-3); {@code enabled} is true when absent. */
public record PackageWebServerInputDto(String id, String url, Boolean enabled) {

    public PackageWebServer toServer(String pathId) {
        String serverId = pathId != null ? pathId : id;
        if (serverId == null) {
            throw new ValidationException("id", "a server ID is required");
        }
        if (pathId != null && id != null && !id.equalsIgnoreCase(pathId)) {
            throw new ValidationException("id", "a server's ID cannot be changed; delete it and add it again");
        }
        if (url == null) {
            throw new ValidationException("url", "a URL is required");
        }
        try {
            return new PackageWebServer(serverId, new URI(url), enabled == null || enabled, null);
        } catch (URISyntaxException e) {
            throw new ValidationException("url", "not a URL: " + e.getMessage());
        }
    }
}
