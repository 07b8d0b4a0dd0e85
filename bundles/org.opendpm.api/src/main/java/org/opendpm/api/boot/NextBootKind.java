package org.opendpm.api.boot;

/** What a managed machine boots the next time it starts from the network (NET-1). */
public enum NextBootKind {
    /** The operating system on its local disk: also what a machine without an intent boots. */
    LOCAL_DISK,
    /** The Deploy-OS resolved for the machine (explicit setting, model, server default), for scenario work. */
    DEPLOY_OS,
    /** An operating system installer: kernel, initial ram disk and boot arguments below the TFTP root. */
    OS_INSTALLER,
    /** A floppy image chain-loaded through memdisk (BIOS firmware): memdisk as the kernel, the image as the initrd. */
    MEMDISK_FLOPPY,
    /** An EFI application chain-loaded (UEFI firmware): its path as the kernel, its command line as the arguments. */
    EFI_APPLICATION
}
