package org.opendpm.spi;

import java.util.Optional;

/**
 * A client asking to boot over the network.
 *
 * @param mac the client's MAC in canonical form
 * @param uuid the client's UUID (DHCP option 97), empty when not sent
 * @param architecture client system architecture (DHCP option 93): 0 BIOS, 6 UEFI IA32, 7 UEFI x86-64, 16 UEFI
 *            x86-64 HTTP ...
 * @param userClass DHCP user class (option 77), {@code iPXE} for iPXE; empty when not sent
 */
public record BootClient(String mac, Optional<String> uuid, int architecture, Optional<String> userClass) {

    public static final int ARCH_BIOS = 0;
    public static final int ARCH_EFI_IA32 = 6;
    public static final int ARCH_EFI_X86_64 = 7;
    public static final int ARCH_EFI_BC = 9;
    public static final int ARCH_EFI_X86_64_HTTP = 16;

    /** Whether the client is iPXE (it then understands iPXE scripts). */
    public boolean isIpxe() {
        return userClass.filter("iPXE"::equals).isPresent();
    }
}
