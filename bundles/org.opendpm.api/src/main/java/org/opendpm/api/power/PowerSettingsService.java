package org.opendpm.api.power;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Each machine's power driver and driver info. The driver a machine uses is chosen in this order: the driver it
 * names, else the first installed driver its Deploy-OS model prefers, else the server's default. Secrets of the
 * driver info (properties its schema marks {@code writeOnly}) are stored encrypted and never returned.
 *
 * <p>Errors: unknown machine {@link org.opendpm.api.NotFoundException}; a driver that is not installed or driver
 * info its driver refuses {@link org.opendpm.api.ValidationException} naming the field ({@code driver} or
 * {@code driverInfo.<property>}); secrets that cannot be read or written with this server's key file, or no database,
 * {@link org.opendpm.api.StoreUnavailableException}.
 */
@ProviderType
public interface PowerSettingsService {

    /** Longest value of one driver info property, in characters. */
    int MAX_VALUE_CHARS = 1024;

    /** Most properties of one machine's driver info. */
    int MAX_PROPERTIES = 32;

    MachinePowerSettings get(long machineId);

    /** Checks and stores the settings; returns them as {@link #get} would. */
    MachinePowerSettings set(long machineId, PowerSettingsUpdate update, String setBy);
}
