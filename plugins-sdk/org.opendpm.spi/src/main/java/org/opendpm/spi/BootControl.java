package org.opendpm.spi;

import org.osgi.annotation.versioning.ProviderType;

/** The machine's next boot, for one step. */
@ProviderType
public interface BootControl {

    /**
     * Makes the machine's Deploy-OS (resolved as everywhere: machine setting, model, server default) its next boot,
     * once, and issues the one-time token its agent proves itself with.
     */
    void deployOs();

    /**
     * Sets the next boot.
     *
     * @param oneShot cleared once the machine has fetched the boot configuration generated for it
     */
    void next(BootIntent intent, boolean oneShot);

    /** Removes the next-boot intent: the machine boots its local disk. */
    void clear();
}
