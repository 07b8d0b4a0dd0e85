package org.opendpm.api.boot;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Next-boot intents of managed machines, kept in the database (NET-1). Network boot asks for a registered machine's
 * intent each time it boots; without one the machine boots its local disk. An intent goes with its machine when the
 * machine is deleted.
 *
 * <p>Errors: an unknown machine {@link org.opendpm.api.NotFoundException}; a bad intent
 * {@link org.opendpm.api.ValidationException} naming the field ({@code kind}, {@code deployOs}, {@code kernel},
 * {@code initrd}, {@code bootArguments}, {@code setBy}); no database {@link org.opendpm.api.StoreUnavailableException}.
 */
@ProviderType
public interface BootIntentService {

    /** Longest kernel, initrd or Deploy-OS id accepted, in characters. */
    int MAX_PATH = 1024;
    /** Longest boot argument line accepted, in characters (what pxelinux and GRUB pass on comfortably). */
    int MAX_ARGUMENTS = 2048;

    /** The machine's intent; empty when it has none (it boots its local disk). */
    Optional<MachineBootIntent> get(long machineId);

    /** Sets (or replaces) the machine's intent. */
    MachineBootIntent set(long machineId, NextBoot intent, String setBy);

    /** Removes the machine's intent; {@code false} when it had none. */
    boolean clear(long machineId);

    /**
     * Removes the machine's intent only if it is still the one set at {@code setAt}: who set an intent can take it
     * back without removing a newer one set meanwhile (and network boot clears a fetched one-shot intent this way).
     *
     * @return {@code false} when the machine has no intent or a newer one
     */
    boolean clearIfSetAt(long machineId, java.time.Instant setAt);
}
