package org.opendpm.api.settings;

import org.osgi.annotation.versioning.ProviderType;

/** Reads and writes the server settings, validated and persisted. */
@ProviderType
public interface ServerSettingsService {

    /** The current settings; defaults until first written. */
    ServerSettings get();

    /**
     * Validates and stores new settings.
     *
     * @throws org.opendpm.api.ValidationException naming the first field at fault; nothing is written then
     */
    ServerSettings update(ServerSettings settings);
}
