package org.opendpm.spi;

import java.util.Map;
import java.util.Objects;

/**
 * What a booting client is sent.
 *
 * @param bootFile the boot file name handed out in DHCP/PXE answers (a TFTP path or an HTTP URL path)
 * @param generatedFiles files generated for this client, by path below the boot root (pxelinux.cfg/01-..., grub.cfg,
 *            iPXE scripts); served from memory
 */
public record BootResponse(String bootFile, Map<String, String> generatedFiles) {
    public BootResponse {
        Objects.requireNonNull(bootFile, "bootFile");
        generatedFiles = Map.copyOf(generatedFiles);
    }
}
