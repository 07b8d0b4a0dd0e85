package org.opendpm.api.boot;

import java.util.Objects;
import java.util.Optional;

/**
 * A next-boot intent as it is asked for. The service checks it ({@link BootIntentService#set}); the factories only
 * fill in the fields that do not apply to a kind.
 *
 * @param kind what to boot
 * @param deployOs for {@link NextBootKind#DEPLOY_OS}: a Deploy-OS id that overrides the machine's resolution; empty
 *            resolves it when the machine boots (explicit setting, then model, then the server default)
 * @param kernel for {@link NextBootKind#OS_INSTALLER}: the kernel's path below the TFTP root or an http(s) URL (which
 *            only iPXE fetches); for
 *            {@link NextBootKind#MEMDISK_FLOPPY} memdisk's; for {@link NextBootKind#EFI_APPLICATION} the application's;
 *            else empty
 * @param initrd for {@link NextBootKind#OS_INSTALLER}: the initial ram disk's path below the TFTP root (may be empty);
 *            for {@link NextBootKind#MEMDISK_FLOPPY} the floppy image's; else empty
 * @param bootArguments for {@link NextBootKind#OS_INSTALLER}: the kernel command line; for
 *            {@link NextBootKind#EFI_APPLICATION} the application's; else empty
 * @param oneShot cleared once the machine has fetched the boot configuration generated for it; otherwise it stays
 *            until it is cleared or replaced
 */
public record NextBoot(NextBootKind kind, Optional<String> deployOs, String kernel, String initrd,
        String bootArguments, boolean oneShot) {

    public NextBoot {
        Objects.requireNonNull(kind, "kind");
        deployOs = deployOs == null ? Optional.empty() : deployOs;
        kernel = kernel == null ? "" : kernel;
        initrd = initrd == null ? "" : initrd;
        bootArguments = bootArguments == null ? "" : bootArguments;
    }

    public static NextBoot localDisk(boolean oneShot) {
        return new NextBoot(NextBootKind.LOCAL_DISK, Optional.empty(), "", "", "", oneShot);
    }

    public static NextBoot deployOs(Optional<String> deployOsId, boolean oneShot) {
        return new NextBoot(NextBootKind.DEPLOY_OS, deployOsId, "", "", "", oneShot);
    }

    public static NextBoot osInstaller(String kernel, String initrd, String bootArguments, boolean oneShot) {
        return new NextBoot(NextBootKind.OS_INSTALLER, Optional.empty(), kernel, initrd, bootArguments, oneShot);
    }

    public static NextBoot memdiskFloppy(String memdisk, String image, boolean oneShot) {
        return new NextBoot(NextBootKind.MEMDISK_FLOPPY, Optional.empty(), memdisk, image, "", oneShot);
    }

    public static NextBoot efiApplication(String application, String arguments, boolean oneShot) {
        return new NextBoot(NextBootKind.EFI_APPLICATION, Optional.empty(), application, "", arguments, oneShot);
    }
}
