package org.opendpm.spi.testkit;

import java.util.Optional;

import org.opendpm.spi.BootClient;

/** Booting clients as real firmware presents them. */
public final class BootClients {

    private BootClients() {
    }

    public static BootClient bios(String mac) {
        return new BootClient(mac, Optional.empty(), BootClient.ARCH_BIOS, Optional.empty());
    }

    public static BootClient uefi(String mac) {
        return new BootClient(mac, Optional.empty(), BootClient.ARCH_EFI_X86_64, Optional.empty());
    }

    public static BootClient uefiHttp(String mac) {
        return new BootClient(mac, Optional.empty(), BootClient.ARCH_EFI_X86_64_HTTP, Optional.empty());
    }

    public static BootClient ipxe(String mac, int architecture) {
        return new BootClient(mac, Optional.empty(), architecture, Optional.of("iPXE"));
    }
}
