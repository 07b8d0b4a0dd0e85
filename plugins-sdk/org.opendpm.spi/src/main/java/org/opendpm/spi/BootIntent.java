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
     * @param kernel kernel below the boot root, or an {@code http://} URL (iPXE and HTTP boot fetch it directly)
     * @param initrd initial ram disk below the boot root, or an {@code http://} URL
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

    /**
     * Chain-load a floppy image through memdisk (BIOS firmware flashing, HWS-1).
     *
     * @param memdisk memdisk below the boot root (syslinux-common's {@code memdisk})
     * @param image the floppy image below the boot root
     */
    record MemdiskFloppy(String memdisk, String image) implements BootIntent {
        public MemdiskFloppy {
            Objects.requireNonNull(memdisk, "memdisk");
            Objects.requireNonNull(image, "image");
        }
    }

    /**
     * Chain-load an EFI application (a UEFI firmware updater, a shell).
     *
     * @param application the {@code .efi} file below the boot root
     * @param arguments its command line, may be empty
     */
    record EfiApplication(String application, String arguments) implements BootIntent {
        public EfiApplication {
            Objects.requireNonNull(application, "application");
            arguments = arguments == null ? "" : arguments;
        }
    }
}
