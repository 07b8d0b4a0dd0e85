package org.opendpm.spi;

import java.util.Objects;

/** What a machine boots next. */
public sealed interface BootIntent {

    /** Boot the operating system on the local disk. */
    record LocalDisk() implements BootIntent {
    }

    /** Boot the Deploy-OS for a pending scenario. */
    record DeployOsBoot(DeployOs deployOs) implements BootIntent {
        public DeployOsBoot {
            Objects.requireNonNull(deployOs, "deployOs");
        }
    }

    /**
     * Boot an operating system installer.
     *
     * @param kernel kernel below the TFTP root
     * @param initrd initial ram disk below the TFTP root
     * @param bootArguments command line, including the installation parameter file's location
     */
    record OsInstaller(String kernel, String initrd, String bootArguments) implements BootIntent {
    }

    /**
     * Show the registration message and menu of a machine that was just registered, then power off.
     *
     * @param message shown to the operator
     * @param powerOffSeconds seconds before the machine powers off unless a menu entry is chosen
     */
    record RegistrationMenu(String message, int powerOffSeconds) implements BootIntent {
    }
}
