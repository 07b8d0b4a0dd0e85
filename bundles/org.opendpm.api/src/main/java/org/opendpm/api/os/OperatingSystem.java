package org.opendpm.api.os;

import java.time.Instant;

/**
 * A registered operating system (OSI-1).
 *
 * @param kernel the installer kernel, below the boot root ({@code pxelinux/<name>/vmlinuz}, OSI-3)
 * @param initrd the installer's initial RAM disk, below the boot root
 * @param source the installation source below the image folder's {@code exports/}: a tree or an ISO file, served
 *            over HTTP at {@code /opendpm/os/<name>/}
 */
public record OperatingSystem(long id, String name, OsType type, String kernel, String initrd, String source,
        Instant updatedAt) {
}
