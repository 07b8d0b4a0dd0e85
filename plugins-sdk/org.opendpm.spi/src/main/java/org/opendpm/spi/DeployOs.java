package org.opendpm.spi;

import java.util.List;
import java.util.Objects;

/**
 * A Deploy-OS: the small operating system a machine boots over the network for backup, restore, disk check, OS
 * installation and HW setting.
 *
 * @param id the Deploy-OS id, for example {@code ia32_110331_26}
 * @param kernel path of the kernel below the TFTP root
 * @param initrd path of the initial ram disk below the TFTP root
 * @param bootArguments kernel command line
 * @param architectures the client architectures it boots on ({@code i386}, {@code x86_64})
 */
public record DeployOs(String id, String kernel, String initrd, String bootArguments, List<String> architectures) {
    public DeployOs {
        Objects.requireNonNull(id, "id");
        if (id.isBlank()) {
            throw new IllegalArgumentException("Deploy-OS id is blank");
        }
        kernel = kernel == null ? "" : kernel;
        initrd = initrd == null ? "" : initrd;
        bootArguments = bootArguments == null ? "" : bootArguments;
        architectures = List.copyOf(architectures);
    }
}
