package org.opendpm.rest.internal.dto;

/** What and how the server is. */
public record ServerInfoDto(String product, String version, String database, boolean databaseAvailable,
        long uptimeSeconds) {
}
